"""Values of records received from the server (registry/remote.py): the order of
statuses, the conversion of wire values (JSON) into Python values (for merging with a
local row) or straight into SQLite's storage form (for the bulk insert of new records,
which skips SQLAlchemy's per-row processing: the initial pull writes 100,000 rows), and
the local search helpers the services compute.

The storage forms are SQLAlchemy's own for SQLite (checked by tests/sync): datetimes
"YYYY-MM-DD HH:MM:SS.ffffff", dates "YYYY-MM-DD", times "HH:MM:SS.ffffff", booleans
0/1, decimals as floats.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    Table,
    Time,
)

from bippop_desk.registry.models import Base
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS
from bippop_desk.registry.phones import phone_search_tokens
from bippop_desk.registry.textkeys import name_key

CHUNK = 400  # ids per IN (...) list, under SQLite's bound-parameter limit
STAGE_FROM = 20  # new rows of a table with insert triggers worth a staging table


# -- status order ----------------------------------------------------------------------
def _transitions() -> dict[str, dict[str, frozenset[str]]]:
    # Imported late: the services import the store, which imports this module's users.
    from bippop_desk.registry.services.missions import MISSION_TRANSITIONS
    from bippop_desk.registry.services.requests import REQUEST_TRANSITIONS
    from bippop_desk.registry.services.volunteers import VOLUNTEER_TRANSITIONS

    return {
        "mission": MISSION_TRANSITIONS,
        "request": REQUEST_TRANSITIONS,
        "volunteer": VOLUNTEER_TRANSITIONS,
    }


_REACH: dict[str, dict[str, frozenset[str]]] = {}


def _reach(entity: str) -> dict[str, frozenset[str]]:
    """Statuses reachable from each status (forward = reachable by the transitions)."""
    if not _REACH:
        for name, table in _transitions().items():
            reach: dict[str, frozenset[str]] = {}
            for start in table:
                seen: set[str] = set()
                todo = list(table[start])
                while todo:
                    status = todo.pop()
                    if status not in seen:
                        seen.add(status)
                        todo.extend(table.get(status, ()))
                reach[start] = frozenset(seen)
            _REACH[name] = reach
    return _REACH.get(entity, {})


def status_is_backwards(entity: str, local: str | None, incoming: str | None) -> bool:
    """True when `incoming` would move a record back: the local status is reachable
    from it but not the other way round. Two ends of separate branches (done and
    cancelled) are not backwards: the server's word stands, so every desk converges."""
    reach = _reach(entity)
    if not reach or local == incoming or local is None or incoming is None:
        return False
    if local not in reach or incoming not in reach:
        return False
    return local in reach[incoming] and incoming not in reach[local]


# -- values --------------------------------------------------------------------------------
def python_converter(column_type: Any) -> Callable[[Any], Any]:
    def date(value: Any) -> Any:
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) and value else None

    def moment(value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return None
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed

    def clock(value: Any) -> Any:
        return dt.time.fromisoformat(value) if isinstance(value, str) and value else None

    def number(value: Any) -> Any:
        return None if value is None or value == "" else Decimal(str(value))

    def boolean(value: Any) -> Any:
        return None if value is None else bool(value)

    def integer(value: Any) -> Any:
        return None if value is None or value == "" else int(value)

    return _by_type(column_type, moment, date, clock, number, boolean, integer)


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def storage_converter(column_type: Any) -> Callable[[Any], Any]:
    """Wire (or Python) value -> the value SQLAlchemy would store in SQLite."""

    def moment(value: Any) -> Any:
        # The usual "2026-11-20T09:30:00[.123456]": no parse needed (445,000 of them in
        # the initial pull of a 100,000-record commune).
        size = len(value) if value.__class__ is str else 0
        if size == 19 and value[10] == "T":
            return value.replace("T", " ", 1) + ".000000"
        if size == 26 and value[10] == "T":
            return value.replace("T", " ", 1)
        parsed = _moment(value)
        return None if parsed is None else parsed.strftime("%Y-%m-%d %H:%M:%S.%f")

    def date(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value[:10] if isinstance(value, str) and value else None

    def clock(value: Any) -> Any:
        if isinstance(value, str) and value:
            value = dt.time.fromisoformat(value)
        return value.strftime("%H:%M:%S.%f") if isinstance(value, dt.time) else None

    def number(value: Any) -> Any:
        return None if value is None or value == "" else float(value)

    def boolean(value: Any) -> Any:
        return None if value is None else int(bool(value))

    def integer(value: Any) -> Any:
        return None if value is None or value == "" else int(value)

    return _by_type(column_type, moment, date, clock, number, boolean, integer)


def _by_type(column_type: Any, *converters: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The converter for a column type, from (datetime, date, time, decimal, boolean,
    integer) converters; other types pass through."""
    moment, date, clock, number, boolean, integer = converters
    if isinstance(column_type, DateTime):
        return moment
    if isinstance(column_type, Date):
        return date
    if isinstance(column_type, Time):
        return clock
    if isinstance(column_type, Numeric) and not isinstance(column_type, Float):
        return number
    if isinstance(column_type, Boolean):
        return boolean
    if isinstance(column_type, Integer):
        return integer
    return _same


def _same(value: Any) -> Any:
    return value


@dataclass
class Shape:
    """How one table's rows are read from the wire and completed."""

    table: Table
    convert: dict[str, Callable[[Any], Any]]
    defaults: dict[str, Any]
    has_commune: bool
    has_server_version: bool
    store: dict[str, Callable[[Any], Any]]  # wire or Python value -> SQLite storage
    stored_defaults: dict[str, Any]
    columns: tuple[str, ...]
    insert_sql: str
    travel: dict[str, Callable[[Any], Any] | None]  # travelling columns (None: as is)
    row_tuple: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # in `columns` order
    stamps: tuple[str, ...]  # created_at / updated_at, when the table has them
    staged: bool  # the table has insert triggers: new rows go through a staging table


_SHAPES: dict[str, Shape] = {}
_SHAPES_LOCK = threading.Lock()
# Copies of the registry's tables plus `server_version`, which the models do not map
# (plain reads and inserts never name it; migration 0005 adds it).
_SYNC_METADATA = MetaData()


def shape_of(conn: Connection, entity: str) -> Shape:
    shape = _SHAPES.get(entity)
    if shape is not None:
        return shape
    # Built once per process, under a lock: two registries pulling at once (two desks
    # in one process, tests/sync) must not both copy the table into _SYNC_METADATA.
    with _SHAPES_LOCK:
        return _SHAPES.get(entity) or _build_shape(conn, entity)


def _build_shape(conn: Connection, entity: str) -> Shape:
    table = Base.metadata.tables[entity].to_metadata(_SYNC_METADATA)
    columns = conn.exec_driver_sql(f"PRAGMA table_info({entity})").all()
    if any(row[1] == "server_version" for row in columns):
        table.append_column(Column("server_version", Integer, nullable=True))
    # Plain str keys: the appended column's key is SQLAlchemy's `quoted_name`, a
    # str subclass the garbage collector tracks, and one such key in a dict makes
    # the collector track the dict: every pulled row, 100,000 in a first pull.
    keyed = [(str(c.key), c) for c in table.columns]
    convert = {key: python_converter(c.type) for key, c in keyed if key not in LOCAL_ONLY_FIELDS}
    convert.pop("id", None)
    defaults: dict[str, Any] = {}
    for key, column in keyed:
        default = column.default
        if default is None or not getattr(default, "is_scalar", False):
            defaults[key] = None
        else:
            defaults[key] = default.arg  # type: ignore[attr-defined]
    store = {key: storage_converter(c.type) for key, c in keyed}
    names = tuple(key for key, _c in keyed)
    triggered = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
        "AND sql LIKE '%AFTER INSERT%' LIMIT 1",
        (entity,),
    ).first()
    shape = Shape(
        table,
        convert,
        defaults,
        "commune_id" in table.columns,
        "server_version" in table.columns,
        store,
        {key: store[key](value) for key, value in defaults.items()},
        names,
        f"INSERT INTO {entity} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        {key: (None if store[key] is _same else store[key]) for key in convert},
        itemgetter(*names),
        tuple(key for key in ("created_at", "updated_at") if key in names),
        triggered is not None,
    )
    _SHAPES[entity] = shape
    return shape


def incoming_values(shape: Shape, fields: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in fields.items():
        convert = shape.convert.get(key)
        if convert is not None:
            values[key] = convert(raw)
    return values


def phone_tokens(*numbers: str) -> str:
    """`phone_search_tokens` with a fast path for French numbers (+33 and 9 digits, the
    vast majority), which skips phonenumbers' full parse; same output (tests/sync)."""
    tokens: list[str] = []
    for e164 in numbers:
        if not e164:
            continue
        if len(e164) == 12 and e164.startswith("+33") and e164[3] != "0" and e164[1:].isdigit():
            national = e164[3:]
            tokens += (e164[1:], national, "0" + national)
        else:
            tokens += phone_search_tokens(e164).split()
    return " ".join(dict.fromkeys(tokens))


def local_helpers(entity: str, row: dict[str, Any]) -> None:
    """The search helpers the services compute (beneficiaries.py, volunteers.py)."""
    if entity == "beneficiary":
        row["search_phones"] = phone_tokens(row["phone"] or "", row["phone_secondary"] or "")
        row["name_key"] = name_key(row["first_name"] or "", row["last_name"] or "")
    elif entity == "volunteer":
        row["search_phones"] = phone_tokens(row["phone"] or "")
        row["name_key"] = name_key(row["first_name"] or "", row["last_name"] or "")


def insert_new(conn: Connection, shape: Shape, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new records, already in SQLite's storage form, straight to the driver.

    A table with insert triggers (the people's search index, the hours facts) gets its
    rows through a connection-private staging table and ONE `INSERT ... SELECT`: the
    triggers still fire for every row, unchanged, but SQLite sets a trigger program and
    FTS5 flushes its pending terms once per statement, not once per row: an
    `executemany` of 21,000 people costs 1.6 s of index work, one statement 0.6 s
    (bench sync_initial). Nothing in the registry's schema changes; the staging table
    lives in the connection's `temp` schema, in the same transaction (a rollback or a
    crash leaves nothing)."""
    values = list(map(shape.row_tuple, rows))
    if not shape.staged or len(values) < STAGE_FROM:
        conn.exec_driver_sql(shape.insert_sql, values)
        return
    stage = f"bippop_stage_{shape.table.name}"
    names = ", ".join(f'"{name}"' for name in shape.columns)
    # Untyped columns: values are stored as given and converted once, by the registry's
    # own columns, exactly as a direct insert would.
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({names})")
    marks = ", ".join("?" * len(shape.columns))
    conn.exec_driver_sql(f"INSERT INTO temp.{stage} ({names}) VALUES ({marks})", values)
    conn.exec_driver_sql(
        f"INSERT INTO main.{shape.table.name} ({names}) "
        f"SELECT {names} FROM temp.{stage} ORDER BY rowid"
    )
    conn.exec_driver_sql(f"DELETE FROM temp.{stage}")


def chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
