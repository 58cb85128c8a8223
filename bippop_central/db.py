"""The server's database: a SQLite file by default, PostgreSQL (psycopg 3) by URL.

Every write runs in one transaction opened by `writing()`. On SQLite it starts with
BEGIN IMMEDIATE, so writers queue for the one write lock instead of failing half-way;
on PostgreSQL the per-commune counter row is locked with SELECT … FOR UPDATE (see
push.py), which is what makes commit order equal cursor order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "bippop_write"
DEFAULT_DB = "sqlite:///bippop-central.sqlite3"


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
    # Up to 20 connections per uvicorn worker (its thread pool has 40 threads): a few
    # workers stay well under PostgreSQL's default max_connections (100), and on a few
    # cores more concurrent transactions would only queue inside the database. No
    # pre-ping (a round trip per request): a connection lost to a database restart fails
    # one request (500, the desk retries) and SQLAlchemy drops the whole stale pool.
    return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=1800)


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
    """Bring the database to the latest schema (run once, before workers start)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    command.upgrade(config, "head")
