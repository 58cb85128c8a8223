"""Reading the registry without SQLAlchemy: what the first screen needs, fast.

`Reader` is anything with a `raw()` context manager giving an sqlite3 connection: the
full `Registry` is one, and so is `FileReader`, which the app opens first so that the
first list paints before the ORM has even been imported (start-up time).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from bippop_desk.registry.migrate import current_revision, head_revision
from bippop_desk.registry.sqlite_file import configure_connection


class Reader(Protocol):
    def raw(self) -> AbstractContextManager[sqlite3.Connection]: ...


class FileReader:
    """A read-only view of a registry file already at this app's schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # The same pragmas as every registry connection (WAL, synchronous=FULL…).
        configure_connection(self._conn)
        self._conn.execute("PRAGMA query_only=ON")  # this view never writes
        self._lock = threading.Lock()

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def commune_name(self) -> str:
        with self.raw() as conn:
            row = conn.execute("SELECT name FROM commune WHERE deleted_at IS NULL").fetchone()
        return str(row[0]) if row else ""

    def close(self) -> None:
        self._conn.close()


def open_if_current(path: Path) -> FileReader | None:
    """A FileReader when the file exists at the head schema with a commune; None when it
    must first go through the full Registry (creation, migration, first set-up)."""
    if current_revision(path) != head_revision():
        return None
    reader = FileReader(path)
    if not reader.commune_name():
        reader.close()
        return None
    return reader
