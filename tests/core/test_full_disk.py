"""A full disk refuses a save whole (nothing half-written) and is told in French."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from bippop_desk.registry.models import AuditEvent, OutboxEntry, Request
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.store import Registry
from bippop_desk.ui.messages import error_text
from tests.conftest import add_person


def counts(registry: Registry) -> tuple[int, int, int]:
    with registry.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Request, AuditEvent, OutboxEntry)
        )


def test_a_full_disk_refuses_the_whole_save_and_says_so_in_french(registry: Registry) -> None:
    person = add_person(registry, "Hélène", "Le Goff")
    visit = next(t.id for t in list_mission_types(registry) if t.code == "visite")
    before = counts(registry)
    with registry.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)
    # SQLite's own limit on the file's size: the real "database or disk is full" path.
    registry.engine.dispose()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(registry.engine, "connect", cap)
    with pytest.raises(OperationalError) as caught:
        for _ in range(200):  # fill the last free pages, then hit the wall
            create_request(registry, RequestInput(person, visit, notes="x" * 2000))
    message = error_text(caught.value)
    assert message.startswith("Le disque est plein : rien n'a été enregistré.")

    event.remove(registry.engine, "connect", cap)
    registry.engine.dispose()
    requests, audits, outbox = counts(registry)
    saved = requests - before[0]
    # Every request that went in has exactly its audit event and its outbox entry.
    assert (audits - before[1], outbox - before[2]) == (saved, saved)
    with registry.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
