"""The server's database: a SQLite file by default, PostgreSQL (psycopg 3) by URL.

Every write runs in one transaction opened by `writing()`. On SQLite it starts with
BEGIN IMMEDIATE, so writers queue for the one write lock instead of failing half-way;
on PostgreSQL the per-commune counter row is locked with SELECT … FOR UPDATE (see
push.py), which is what makes commit order equal cursor order.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "bippop_write"
DEFAULT_DB = "sqlite:///bippop-central.sqlite3"
POOL_ENV = "BIPPOP_CENTRAL_POOL_SIZE"
DEFAULT_POOL_SIZE = 5
POOL_TIMEOUT_S = 30
# One number for every host's migration (pg_advisory_lock): servers started together
# upgrade one after the other; the later ones find the schema at head.
MIGRATION_LOCK = 0x42495050  # "BIPP"


def normalise_url(url: str) -> str:
    """A bare path means a SQLite file; `postgresql://` means psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is too lazy).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # An erased person's old values must not linger in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )
        event.listen(engine, "connect", _sqlite_connect)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # PostgreSQL connections = hosts x workers x pool size (+ a few for the CLI and
    # migrations) must stay under its max_connections (100 by default, 3 kept for the
    # superuser). The default, 5 per worker and no overflow, lets 4 workers on each of 4
    # hosts share a default server; on a few cores more concurrent transactions would
    # only queue inside the database anyway. A request finding the pool busy waits for a
    # connection (POOL_TIMEOUT_S) instead of failing. No pre-ping (a round trip per
    # request): a connection lost to a database restart fails one request (500, the
    # desk retries) and SQLAlchemy drops the whole stale pool.
    return create_engine(
        url, pool_size=pool_size(), max_overflow=0, pool_timeout=POOL_TIMEOUT_S,
        pool_recycle=1800,
    )  # fmt: skip


def pool_size() -> int:
    """Connections per worker process: BIPPOP_CENTRAL_POOL_SIZE, else DEFAULT_POOL_SIZE."""
    raw = os.environ.get(POOL_ENV, "").strip()
    if not raw:
        return DEFAULT_POOL_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise ValueError(f"{POOL_ENV} doit être un nombre de 1 à 200 (reçu : {raw[:20]!r}).")
    return int(raw)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: all or nothing."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read. On PostgreSQL in autocommit: each read here is one statement, which is
    its own consistent snapshot, and BEGIN / COMMIT would double its round trips."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn
        return
    with engine.begin() as conn:
        yield conn


def migrate(url: str) -> None:
    """Bring the database to the latest schema (run once, before workers start). On
    PostgreSQL under an advisory lock: several hosts starting at once do not race."""
    url = normalise_url(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if not url.startswith("postgresql"):
        command.upgrade(config, "head")
        return
    locker = create_engine(url, poolclass=NullPool)
    try:
        with locker.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                command.upgrade(config, "head")
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        locker.dispose()
