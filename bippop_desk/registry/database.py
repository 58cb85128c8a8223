"""Opening the registry file: engine, pragmas and transaction modes.

SQLite in WAL mode with `synchronous=FULL` (a committed change survives a power
cut), foreign keys on. Write transactions start with BEGIN IMMEDIATE so two
processes (the app and the CLI) queue for the write lock instead of failing half-way.
Every connection also gets the folding functions the search triggers call
(textkeys.register_functions). Which files are registries, and the pragmas
themselves, are in `sqlite_file` (plain sqlite3, no SQLAlchemy).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from bippop_desk.registry.sqlite_file import (
    APPLICATION_ID,
    RegistryFileError,
    check_registry_file,
    configure_connection,
)

__all__ = [
    "APPLICATION_ID",
    "WRITE_OPTION",
    "RegistryFileError",
    "check_registry_file",
    "make_engine",
    "write_engine",
]

WRITE_OPTION = "bippop_write"


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is too lazy).
    dbapi_connection.isolation_level = None
    configure_connection(dbapi_connection)


def make_engine(path: Path | str) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _on_connect)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine and pool, but its transactions take the write lock at once."""
    return engine.execution_options(**{WRITE_OPTION: True})
