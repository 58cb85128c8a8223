"""`hours_fact`: each hours entry resolved once, when it is written, for the dashboard.

The workbook resolves every entry of the period at read time (its mission's type and
person, the type and kind of the entry a correction fixes): three lookups by UUID per
entry, ~1 s for a large city's year. The dashboard wants the same figures in well under
half a second, so the resolution is kept, like the FTS index, in a local table that
triggers maintain in the writing transaction itself:

- hours_entry is append-only: one fact row per inserted entry (AFTER INSERT);
- a mission whose type or person changes re-resolves the facts of its entries;
- a mission, volunteer, person or corrected entry that arrives after the entries pointing
  at it (a pull applies records in the server's order) re-resolves them.

Columns are small integers or short codes (month as 202603; mission, person and volunteer
as their rowids, the mission type as its id): a year comes back from one index-only
range scan as small tuples. Rowids are stable here (these tables are never compacted:
deletes are tombstones), and `ensure_current` re-resolves everything should a VACUUM
ever renumber them. Local only (derived data: no audit, no outbox). Like the search
triggers, these must be re-created by any migration that copies `hours_entry` or
`mission` (batch mode drops triggers). No Qt, no ORM.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

TABLE = "hours_fact"
_COLUMNS = "entry_rowid, month, entry_date, minutes, tenths, type, base, original, mission, person, volunteer"  # noqa: E501

# The workbook's resolution (hours_report._resolved_entries), `e` being the entry: its
# type, else its mission's, else the corrected entry's; the kind it counts under
# (a correction: the corrected entry's kind, else "autre").
_SELECT = """
SELECT {e}.rowid,
       CAST(substr({e}.entry_date, 1, 4) || substr({e}.entry_date, 6, 2) AS INTEGER),
       {e}.entry_date, {e}.minutes,
       CAST(round(coalesce({e}.mileage_km, 0) * 10) AS INTEGER),
       coalesce({e}.mission_type_id, m.mission_type_id, c.mission_type_id),
       CASE WHEN {e}.kind != 'correction' THEN {e}.kind ELSE coalesce(c.kind, 'autre') END,
       {e}.kind != 'correction', m.rowid, b.rowid, v.rowid
FROM {source}
LEFT JOIN mission AS m ON m.id = {e}.mission_id
LEFT JOIN hours_entry AS c ON c.id = {e}.corrects_entry_id
LEFT JOIN beneficiary AS b ON b.id = m.beneficiary_id
LEFT JOIN volunteer AS v ON v.id = {e}.volunteer_id
"""
_ALL = _SELECT.format(e="e", source="hours_entry AS e")

CREATE_TABLE = f"""CREATE TABLE {TABLE} (
    entry_rowid INTEGER PRIMARY KEY,
    month INTEGER NOT NULL,
    entry_date TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    tenths INTEGER NOT NULL,
    type TEXT,
    base TEXT NOT NULL,
    original INTEGER NOT NULL,
    mission INTEGER,
    person INTEGER,
    volunteer INTEGER
)"""
DDL = [
    CREATE_TABLE,
    # Covering: a period's facts from the index alone.
    f"""CREATE INDEX ix_{TABLE}_date ON {TABLE} (
        entry_date, month, minutes, tenths, type, base, original, mission, person, volunteer
    )""",
    f"""CREATE TRIGGER {TABLE}_entry AFTER INSERT ON hours_entry BEGIN
        INSERT OR REPLACE INTO {TABLE} ({_COLUMNS})
        {_SELECT.format(e="new", source="(SELECT 1) AS one")};
        INSERT OR REPLACE INTO {TABLE} ({_COLUMNS})
        {_ALL} WHERE e.corrects_entry_id = new.id;
    END""",
    # A desk applies pulled records in the server's change order, not parent first: an
    # entry may arrive before its mission, its volunteer, its mission's person or the
    # entry it corrects. Each of those, when it arrives, re-resolves the entries that
    # point at it (index lookups; nothing to do in the usual parent-first order).
    f"""CREATE INDEX ix_{TABLE}_corrects ON hours_entry (corrects_entry_id)
        WHERE corrects_entry_id IS NOT NULL""",
    f"""CREATE TRIGGER {TABLE}_mission_arrives AFTER INSERT ON mission
    WHEN EXISTS (SELECT 1 FROM hours_entry WHERE mission_id = new.id) BEGIN
        INSERT OR REPLACE INTO {TABLE} ({_COLUMNS})
        {_ALL} WHERE e.mission_id = new.id;
    END""",
    f"""CREATE TRIGGER {TABLE}_volunteer_arrives AFTER INSERT ON volunteer
    WHEN EXISTS (SELECT 1 FROM hours_entry WHERE volunteer_id = new.id) BEGIN
        INSERT OR REPLACE INTO {TABLE} ({_COLUMNS})
        {_ALL} WHERE e.volunteer_id = new.id;
    END""",
    f"""CREATE TRIGGER {TABLE}_person_arrives AFTER INSERT ON beneficiary
    WHEN EXISTS (SELECT 1 FROM mission WHERE beneficiary_id = new.id) BEGIN
        INSERT OR REPLACE INTO {TABLE} ({_COLUMNS})
        {_ALL} WHERE e.mission_id IN (SELECT id FROM mission WHERE beneficiary_id = new.id);
    END""",
    f"""CREATE TRIGGER {TABLE}_mission
    AFTER UPDATE OF mission_type_id, beneficiary_id ON mission
    WHEN old.mission_type_id IS NOT new.mission_type_id
      OR old.beneficiary_id IS NOT new.beneficiary_id
    BEGIN
        INSERT OR REPLACE INTO {TABLE} ({_COLUMNS})
        {_ALL} WHERE e.mission_id = new.id;
    END""",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_mission_arrives",
    f"DROP TRIGGER IF EXISTS {TABLE}_volunteer_arrives",
    f"DROP TRIGGER IF EXISTS {TABLE}_person_arrives",
    f"DROP INDEX IF EXISTS ix_{TABLE}_corrects",
    f"DROP TRIGGER IF EXISTS {TABLE}_entry",
    f"DROP TRIGGER IF EXISTS {TABLE}_mission",
    f"DROP TABLE IF EXISTS {TABLE}",
]

# A period's facts, in the row shape the dashboard counts.
PERIOD_SQL = f"""
SELECT month, minutes, tenths, type, base, original, mission, person, volunteer
FROM {TABLE} WHERE entry_date >= ? AND entry_date <= ?
"""


def install(execute: Callable[[str], object]) -> None:
    """Create the table, its index and triggers, and resolve every entry already
    written. `execute` runs one statement inside the caller's write transaction
    (migration 0008: op.execute)."""
    for statement in DDL:
        execute(statement)
    execute(f"INSERT INTO {TABLE} ({_COLUMNS}) {_ALL}")


# The last entry's facts as stored and as resolved now: they differ only if rowids were
# renumbered (a VACUUM after hard deletes) or the facts were written by another shape.
_CHECK = f"""
SELECT f.mission IS r.mission AND f.person IS r.person AND f.volunteer IS r.volunteer
FROM {TABLE} AS f JOIN (
    SELECT e.rowid AS entry, m.rowid AS mission, b.rowid AS person, v.rowid AS volunteer
    FROM hours_entry AS e
    LEFT JOIN mission AS m ON m.id = e.mission_id
    LEFT JOIN beneficiary AS b ON b.id = m.beneficiary_id
    LEFT JOIN volunteer AS v ON v.id = e.volunteer_id
    WHERE e.rowid = (SELECT max(rowid) FROM hours_entry)
) AS r ON r.entry = f.entry_rowid
"""


def ensure_current(conn: sqlite3.Connection) -> None:
    """Install the facts on a file that lacks them, holds another shape of them (a
    development build of migration 0008) or holds facts whose rowids no longer match,
    in one write transaction. Two small reads when they are current."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
    ).fetchone()
    if row is not None and row[0] == CREATE_TABLE:
        check = conn.execute(_CHECK).fetchone()
        if check is None or check[0]:
            return  # no entries yet, or the last one resolves as stored
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in DROP:
            conn.execute(statement)
        install(conn.execute)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
