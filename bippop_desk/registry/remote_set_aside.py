"""Pulled records this desk cannot store are set aside, never allowed to stop a pull.

A page is written in one savepoint (registry/remote.py); should SQLite or a converter
refuse one of its records (a number past 64 bits, a lone surrogate, a null in a column
that holds none, a value of the wrong kind), the page is written again record by record,
each in a savepoint of its own, and the refused ones land in `sync_set_aside` with a
French reason. The page and the cursor commit as usual: the commune's other records
keep arriving. A later version of the record that does apply clears its entry, and so
does an erasure.

Trouble with the file itself (locked, full disk, I/O error) is not a record's fault:
it propagates and the whole pull waits for the next sync, set aside nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError

from bippop_desk.registry.clock import utcnow

log = logging.getLogger(__name__)
Apply = Callable[[Connection, str, Sequence[Mapping[str, Any]]], Any]  # remote.apply_page
MAX_KEPT = 256 * 1024  # characters of the change kept (the platform sends 128 KiB at most)

_RECORD_FAULTS = (
    ValueError, TypeError, KeyError, AttributeError, OverflowError, UnicodeError,
    InvalidOperation, sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError,
    sqlite3.ProgrammingError,
)  # fmt: skip


def apply_guarded(
    conn: Connection, commune_id: str, changes: Sequence[Mapping[str, Any]], apply: Apply
) -> Any:
    """The page in one savepoint; when one of its records cannot be stored, the page
    again record by record, the refused ones set aside (remote_set_aside.py)."""
    try:
        with conn.begin_nested():
            result = apply(conn, commune_id, changes)
    except Exception as error:
        if not record_fault(error):
            raise
        log.warning("pulled page refused by the registry (%r): record by record", error)
        result = _apply_each(conn, commune_id, changes, apply)
    clear_applied(conn, result.ids)
    return result


def _apply_each(
    conn: Connection, commune_id: str, changes: Sequence[Mapping[str, Any]], apply: Apply
) -> Any:
    total = apply(conn, commune_id, [])  # an empty AppliedChanges
    latest: dict[Any, Any] = {}
    for change in changes:  # a page lists a record once; should it repeat, the later wins
        key = (
            (change.get("entity"), change.get("record_id"))
            if isinstance(change, Mapping)
            else id(change)
        )
        latest.pop(key, None)
        latest[key] = change
    for change in latest.values():
        try:
            with conn.begin_nested():
                one = apply(conn, commune_id, [change])
        except Exception as error:
            if not record_fault(error):
                raise
            set_aside(conn, change, reason_for(error, change))
            total.skipped += 1
            continue
        for name in ("applied", "inserted", "updated", "skipped", "conflicts", "erased"):
            setattr(total, name, getattr(total, name) + getattr(one, name))
        total.entities |= one.entities
        for entity, ids in one.ids.items():
            total.ids[entity].extend(ids)
    return total


def record_fault(error: BaseException) -> bool:
    """True when the error comes from a record's values, not from the file."""
    if isinstance(error, OperationalError | sqlite3.OperationalError):
        return False  # locked, disk full, I/O: the file's trouble
    if isinstance(error, DBAPIError | StatementError):
        return error.orig is None or record_fault(error.orig)
    return isinstance(error, _RECORD_FAULTS)


def reason_for(error: BaseException, change: Any) -> str:
    """The French reason shown on the Synchronisation page."""
    fields = change.get("fields") if isinstance(change, Mapping) else None
    culprit = _culprit(fields) if isinstance(fields, Mapping) else ""
    cause = error.orig if isinstance(error, DBAPIError | StatementError) else error
    if isinstance(cause, sqlite3.IntegrityError):
        what = "une valeur obligatoire manque ou contredit une règle du registre"
    elif isinstance(cause, OverflowError):
        what = "un nombre est trop grand pour ce poste"
    elif isinstance(cause, UnicodeError):
        what = "un texte contient un caractère illisible"
    elif isinstance(cause, KeyError | AttributeError | TypeError) and not culprit:
        what = "la fiche reçue est incomplète ou mal formée"
    else:
        what = "une valeur n'a pas la forme attendue par ce poste"
    where = f" (champ « {culprit} »)" if culprit else ""
    return (
        f"Fiche reçue de la plateforme que ce poste ne peut pas enregistrer : {what}{where}. "
        "Elle est mise de côté ; les autres fiches continuent d'arriver."
    )


def _culprit(fields: Mapping[str, Any]) -> str:
    """The first field whose value no SQLite column could hold, when one is plain."""
    for name, value in fields.items():
        if isinstance(value, float) and not math.isfinite(value):
            return str(name)[:60]
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            return str(name)[:60]
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeError:
                return str(name)[:60]
    return ""


def set_aside(conn: Connection, change: Any, reason: str) -> None:
    """Keep a refused change (escaped to ASCII: a lone surrogate stays readable)."""
    data = change if isinstance(change, Mapping) else {}
    kept = json.dumps(change, ensure_ascii=True, default=str)[:MAX_KEPT]
    conn.execute(
        text(
            "INSERT INTO sync_set_aside (seq, entity, record_id, version, reason, change, "
            "created_at) VALUES (:seq, :entity, :record_id, :version, :reason, :change, :at)"
        ),
        {
            "seq": _number(data.get("seq")),
            "entity": str(data.get("entity") or "")[:40],
            "record_id": str(data.get("record_id") or "")[:36].encode("utf-8", "replace").decode(),
            "version": _number(data.get("version")),
            "reason": reason,
            "change": kept,
            "at": utcnow().strftime("%Y-%m-%d %H:%M:%S.%f"),
        },
    )


def _number(value: Any) -> int:
    return value if isinstance(value, int) and -(2**63) <= value < 2**63 else 0


def clear_applied(conn: Connection, ids: Mapping[str, list[str]]) -> None:
    """A record applied since (a later version, an erasure) leaves the list."""
    if conn.exec_driver_sql("SELECT 1 FROM sync_set_aside LIMIT 1").first() is None:
        return
    for entity, record_ids in ids.items():
        conn.exec_driver_sql(
            "DELETE FROM sync_set_aside WHERE entity = ? AND record_id IN "
            "(SELECT value FROM json_each(?))",
            (entity, json.dumps(record_ids)),
        )


@dataclass(frozen=True)
class SetAsideView:
    id: int
    entity: str
    record_id: str
    version: int
    reason: str
    at: dt.datetime | None


def list_set_aside(registry: Any) -> list[SetAsideView]:
    """Records set aside, newest first (for the Synchronisation page)."""
    with registry.raw() as conn:
        rows = conn.execute(
            "SELECT id, entity, record_id, version, reason, created_at FROM sync_set_aside "
            "ORDER BY id DESC"
        ).fetchall()
    return [
        SetAsideView(row[0], row[1], row[2], row[3], row[4],
                     dt.datetime.fromisoformat(row[5]) if row[5] else None)
        for row in rows
    ]  # fmt: skip


def count_set_aside(registry: Any) -> int:
    with registry.raw() as conn:
        return int(conn.execute("SELECT count(*) FROM sync_set_aside").fetchone()[0])
