"""`Registry`: one open registry file, the entry point of every service.

Thread rule: a Registry may be shared by threads, but the desktop app calls it only
from its single database worker (see ui/worker.py). Sessions are short-lived and
never cross threads.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from bippop_desk.registry.changes import SYSTEM_ACTOR, Actor, ChangeSet
from bippop_desk.registry.database import make_engine, write_engine
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.migrate import ensure_schema
from bippop_desk.registry.models import Commune

log = logging.getLogger(__name__)


@dataclass
class ActingScope:
    """One job run on behalf of an actor (see `Registry.acting_as`): who acts, and
    what every change committed inside it touched, for the views' broadcast."""

    actor: Actor
    entities: set[str] = field(default_factory=set)
    ids: set[tuple[str, str]] = field(default_factory=set)


class Registry:
    def __init__(self, path: Path | str, actor: Actor = SYSTEM_ACTOR, *, migrate: bool = True):
        self.path = Path(path)
        self.actor = actor
        self.backup_taken: str | None = None
        if migrate:
            # Backups sit next to the registry, where whoever copies the folder finds them.
            self.backup_taken = ensure_schema(self.path, self.path.parent / "sauvegardes")
        self.engine: Engine = make_engine(self.path)
        self._writer: Engine = write_engine(self.engine)
        self._commune_id: str | None = None
        self._local = threading.local()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- sessions -------------------------------------------------------------
    def session(self) -> Session:
        """A read session (expire_on_commit off: results stay usable after it closes)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def change(self, actor: Actor | None = None) -> Iterator[ChangeSet]:
        """One transaction: the changes, their audit events and outbox entries, or nothing.

        The actor is, in order: the one given, the one of the `acting_as` scope this
        thread runs in, the registry's current one."""
        scope: ActingScope | None = getattr(self._local, "scope", None)
        who = actor or (scope.actor if scope is not None else None) or self.actor
        with Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                changes = ChangeSet(session, who, self.commune_id_or_empty(session))
                yield changes
            # Committed: only now does the scope learn what changed.
            if scope is not None:
                for change in changes.changes:
                    scope.entities.add(change.entity)
                    scope.ids.add((change.entity, change.record_id))

    @contextmanager
    def acting_as(self, actor: Actor) -> Iterator[ActingScope]:
        """Run the changes made on this thread inside the block on behalf of `actor`
        (captured when a UI job was submitted: the signed-in user may change while it
        waits in the queue); the scope collects the entities and ids they touched."""
        previous = getattr(self._local, "scope", None)
        scope = ActingScope(actor)
        self._local.scope = scope
        try:
            yield scope
        finally:
            self._local.scope = previous

    @contextmanager
    def remote_transaction(self) -> Iterator[Connection]:
        """A write transaction for records received from the server (registry/remote.py):
        BEGIN IMMEDIATE, foreign keys off for its duration (a pulled page is in the
        server's change order, not parent-first), no ORM, no outbox."""
        with self._writer.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            driver.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    yield conn
            finally:
                driver.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """The pooled sqlite3 connection itself, for hot read paths (lists, search) where
        SQLAlchemy's result processing would cost more than the query. Reads only."""
        connection = self.engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            yield driver
        finally:
            connection.close()

    # -- the commune (one per registry) ----------------------------------------
    def commune_id_or_empty(self, session: Session | None = None) -> str:
        if self._commune_id is None:
            own = session or self.session()
            try:
                commune = own.scalars(select(Commune).where(Commune.deleted_at.is_(None))).first()
            finally:
                if session is None:
                    own.close()
            if commune is None:
                return ""
            self._commune_id = commune.id
        return self._commune_id

    @property
    def commune_id(self) -> str:
        commune_id = self.commune_id_or_empty()
        if not commune_id:
            raise NotFoundError("Aucune commune n'est configurée dans ce registre.")
        return commune_id

    def commune(self) -> Commune:
        with self.session() as session:
            commune = session.get(Commune, self.commune_id)
            assert commune is not None
            return commune
