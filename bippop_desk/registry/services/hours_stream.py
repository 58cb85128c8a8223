"""The workbook's single pass over the period's entries (see `hours_report` for the
counting rules; its SQL figures are the reference these are checked against)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from bippop_desk.registry.models.missions import HOURS_KINDS
from bippop_desk.registry.services.hours_period import (
    Category,
    CategoryTypes,
    HoursFigures,
    MonthFigures,
    Period,
    VolunteerFigures,
    month_of,
)
from bippop_desk.registry.store import Registry

# -- The workbook's single pass -------------------------------------------------------
#
# The workbook reads the period's entries once, in the order of its detail sheet, as
# plain tuples from the sqlite3 connection, and counts every other figure in Python
# while it writes the detail lines: no temporary table, no GROUP BY, no second read.
# Same resolution as `_resolved_entries`; `hours_figures` (SQL) stays the reference the
# tests compare these figures with.
_ENTRIES_SQL = """
SELECT e.entry_date, e.kind, e.volunteer_id, v.first_name, v.last_name, e.minutes,
       CAST(round(coalesce(e.mileage_km, 0) * 10) AS INTEGER),
       coalesce(e.mission_type_id, m.mission_type_id, c.mission_type_id),
       c.kind, e.mission_id, m.beneficiary_id
FROM hours_entry AS e
JOIN volunteer AS v ON v.id = e.volunteer_id
LEFT JOIN mission AS m ON m.id = e.mission_id
LEFT JOIN hours_entry AS c ON c.id = e.corrects_entry_id
WHERE e.entry_date >= ? AND e.entry_date <= ? AND e.commune_id = ?
ORDER BY e.entry_date, {who}, e.created_at
"""
# A pseudonymised export must not leak the alphabetical order of names: by id instead.
_ORDER_BY_NAME = "v.last_name, v.first_name"
_ORDER_BY_ID = "e.volunteer_id"

# entry_date, kind, volunteer_id, first_name, last_name, minutes, mileage tenths,
# resolved mission type id, kind of the corrected entry, mission id, beneficiary id.
_EntryRow = tuple[str, str, str, str, str, int, int, str | None, str | None, str | None, str | None]


# One hours entry as the workbook's detail sheet shows it (nothing about beneficiaries):
# entry_date, kind (French label), category label, volunteer_id, first_name, last_name,
# minutes, mileage in tenths of km. A plain tuple: ~120,000 of them a year.
DetailLine = tuple[dt.date, str, str, str, str, str, int, int]


class _Month:
    """What one month counts: minutes by category key, distinct missions, people helped
    and active volunteers (original entries only)."""

    __slots__ = ("minutes", "missions", "people", "volunteers")

    def __init__(self) -> None:
        self.minutes: dict[str, int] = {}
        self.missions: set[str] = set()
        self.people: set[str] = set()
        self.volunteers: set[str] = set()


class _Tally:
    """One volunteer's minutes, mileage and distinct missions over the period."""

    __slots__ = ("first_name", "last_name", "minutes", "missions", "tenths")

    def __init__(self, first_name: str, last_name: str) -> None:
        self.first_name = first_name
        self.last_name = last_name
        self.minutes = 0
        self.tenths = 0
        self.missions: set[str] = set()


class _Counter:
    """Counts the workbook's figures from the period's rows, a batch at a time, and
    turns each batch into its detail lines. Same rules as `HoursReport.figures`."""

    def __init__(self, types: CategoryTypes) -> None:
        self.types = types
        self.months: dict[str, _Month] = {}
        self.volunteers: dict[str, _Tally] = {}
        self.categories: dict[str, Category] = {}
        self.entries = 0
        self._by_kind = {kind: types.category(None, kind) for kind in HOURS_KINDS}
        self._other = types.category(None, "autre")

    def add(self, batch: list[_EntryRow]) -> list[DetailLine]:
        # ~120,000 rows a year for a large city: everything the loop touches is local.
        by_type, by_kind, other = self.types.by_id, self._by_kind, self._other
        months, volunteers, categories = self.months, self.volunteers, self.categories
        kinds, as_date = HOURS_KINDS, dt.date.fromisoformat
        month_key, month = "", _Month()
        lines: list[DetailLine] = []
        for day, kind, vid, first, last, minutes, tenths, tid, base, mid, pid in batch:
            if day[:7] != month_key:  # "2026-03": the rows come in date order
                month_key = day[:7]
                month = months.setdefault(month_key, _Month())
            original = kind != "correction"
            # The entry's type, else (training, meetings…) its kind; a correction's kind
            # is that of the entry it corrects.
            category = by_type.get(tid) if tid is not None else None
            if category is None:
                category = by_kind.get(kind if original else base or "autre") or other
            key = category.key
            cells = month.minutes
            if key in cells:
                cells[key] += minutes
            else:
                cells[key] = minutes
                categories[key] = category
            tally = volunteers.get(vid)
            if tally is None:
                tally = volunteers[vid] = _Tally(first, last)
            tally.minutes += minutes
            tally.tenths += tenths
            if original:  # what it counts for: its mission, the person, the volunteer
                month.volunteers.add(vid)
                if mid is not None:
                    month.missions.add(mid)
                    tally.missions.add(mid)
                    if pid is not None:
                        month.people.add(pid)
            label = kinds.get(kind, kind)
            lines.append((as_date(day), label, category.label, vid, first, last, minutes, tenths))
        self.entries += len(lines)
        return lines

    def figures(self, period: Period) -> HoursFigures:
        minutes_by: dict[tuple[dt.date, str], int] = {}
        by_month: dict[dt.date, MonthFigures] = {}
        for text, month in self.months.items():
            first_day = month_of(text)
            for key, minutes in month.minutes.items():
                minutes_by[(first_day, key)] = minutes
            by_month[first_day] = MonthFigures(
                sum(month.minutes.values()),
                len(month.missions),
                len(month.people),
                len(month.volunteers),
            )
        months = list(self.months.values())
        tallies = self.volunteers
        per_volunteer = [
            VolunteerFigures(vid, t.first_name, t.last_name, t.minutes, len(t.missions), t.tenths)
            for vid, t in tallies.items()
        ]
        per_volunteer.sort(key=lambda v: (v.last_name, v.first_name, v.volunteer_id))
        return HoursFigures(
            period=period,
            categories=sorted(self.categories.values(), key=self.types.sort_key),
            months=period.months(),
            minutes_by=minutes_by,
            by_month=by_month,
            total_minutes=sum(t.minutes for t in tallies.values()),
            missions=len(set().union(*(m.missions for m in months))),
            beneficiaries=len(set().union(*(m.people for m in months))),
            volunteers=len(set().union(*(m.volunteers for m in months))),
            mileage_tenths=sum(t.tenths for t in tallies.values()),
            entries=self.entries,
            per_volunteer=per_volunteer,
        )


class PeriodEntries:
    """The period's entries read once: `lines()` streams them in the detail's order
    and counts, on the way, every figure of the workbook; `figures()` gives those
    figures once the lines are all read. Get one from `period_entries()`."""

    # Rows fetched, counted and handed over a batch at a time: SQLite, the counting and
    # the caller's writing each run in bursts, ~10 % faster overall than row by row,
    # for a few MB.
    BATCH = 10_000

    def __init__(self, rows: sqlite3.Cursor, types: CategoryTypes, period: Period) -> None:
        self.period = period
        self._rows: sqlite3.Cursor | None = rows
        self._types = types
        self._figures: HoursFigures | None = None

    def lines(self) -> Iterator[DetailLine]:
        """The detail lines (read them all: the figures are counted as they go)."""
        rows, self._rows = self._rows, None
        if rows is None:
            raise RuntimeError("The period's entries are read only once.")
        counter = _Counter(self._types)
        while batch := rows.fetchmany(self.BATCH):
            yield from counter.add(batch)
        self._figures = counter.figures(self.period)

    def figures(self) -> HoursFigures:
        """Every figure of the period's workbook (after `lines()` was read to its end)."""
        if self._figures is None:
            raise RuntimeError("The figures are counted while the detail lines are read.")
        return self._figures


@contextmanager
def period_entries(
    registry: Registry, period: Period, *, by_name: bool = True
) -> Iterator[PeriodEntries]:
    """Open the period's entries for one pass: one query in one read transaction, in
    the detail's order (date, then volunteer name, or volunteer id with
    `by_name=False`), streamed (a large city's year never sits in memory as rows).
    Use it within a `with` block on one thread."""
    commune_id = registry.commune_id
    who = _ORDER_BY_NAME if by_name else _ORDER_BY_ID
    params = (period.start.isoformat(), period.end.isoformat(), commune_id)
    with registry.raw() as conn:
        # SQLite's sorter (each day's entries by name: the date index gives the days in
        # order) stays in memory, never in a temporary file. It refuses this pragma
        # inside a transaction: before BEGIN and after the end.
        conn.execute("PRAGMA temp_store=MEMORY")
        cursor = None
        try:
            conn.execute("BEGIN")
            types = CategoryTypes(
                conn.execute("SELECT id, code, label, sort_order FROM mission_type")
            )
            cursor = conn.execute(_ENTRIES_SQL.format(who=who), params)
            yield PeriodEntries(cursor, types, period)
        finally:
            if cursor is not None:
                cursor.close()
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # a read: nothing to keep
            conn.execute("PRAGMA temp_store=DEFAULT")
