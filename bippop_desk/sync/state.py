"""The one `sync_state` row and the demo marker: small reads and writes, each its own
short transaction (never held across a network call)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from bippop_desk.registry.store import Registry

DEMO_MESSAGE = (
    "Ce registre est celui de démonstration : ses données sont fictives et ne partent "
    "jamais vers la plateforme. Créez le registre de votre commune pour l'inscrire."
)


@dataclass(frozen=True)
class State:
    device_id: str = ""
    server_url: str = ""
    ca_file: str = ""
    device_name: str = ""
    commune_insee: str = ""
    pull_cursor: int = 0
    last_sync_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_error: str = ""
    clock_offset_s: float | None = None
    enrolled_at: dt.datetime | None = None
    pending_enrollment: str = ""  # JSON, see sync/enrollment.py
    server_epoch: str = ""  # the platform database's epoch last seen (sync/restore.py)
    restore_notice: str = ""

    @property
    def enrolled(self) -> bool:
        return bool(self.device_id and self.server_url)


_COLUMNS = (
    "device_id, server_url, ca_file, device_name, commune_insee, pull_cursor, last_sync_at, "
    "last_success_at, last_error, clock_offset_s, enrolled_at, pending_enrollment, "
    "server_epoch, restore_notice"
)


def _moment(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def read_state(registry: Registry) -> State:
    with registry.raw() as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM sync_state WHERE id = 1").fetchone()
    if row is None:
        return State()
    return State(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        int(row[5] or 0),
        _moment(row[6]),
        _moment(row[7]),
        row[8] or "",
        row[9],
        _moment(row[10]),
        row[11] or "",
        row[12] or "",
        row[13] or "",
    )


def write_state(registry: Registry, **values: Any) -> None:
    """Update the row (created on first use) with these columns."""
    with registry.remote_transaction() as conn:
        write_state_in(conn, **values)


def write_state_in(conn: Any, **values: Any) -> None:
    conn.execute(
        text(
            "INSERT OR IGNORE INTO sync_state (id, device_id, server_url, ca_file, device_name,"
            " commune_insee, pull_cursor, last_error) VALUES (1, '', '', '', '', '', 0, '')"
        )
    )
    if values:
        assignments = ", ".join(f"{key} = :{key}" for key in values)
        conn.execute(text(f"UPDATE sync_state SET {assignments} WHERE id = 1"), values)


def is_demo(registry: Registry) -> bool:
    with registry.raw() as conn:
        row = conn.execute("SELECT value FROM app_setting WHERE key = 'demo'").fetchone()
    return row is not None and row[0] not in ("", "0")
