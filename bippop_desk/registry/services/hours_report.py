"""The figures of volunteer hours over a period, as the registry counts them.

Two ways to the same figures: `hours_figures` computes them in SQL (the reference the
tests check the workbook, and LibreOffice's recomputation of its formulas, against);
`period_entries` reads the period's entries once, in the order of the workbook's detail
sheet, and counts them in Python as they stream by (what the workbook uses: one query).

Counting rules (written once, here):
- hours are net: corrections (negative entries) count on their own `entry_date`;
- an entry's category is its mission type (its own, else its mission's, else that of the
  entry it corrects); entries without a type (training, meetings) count under their kind;
- missions = distinct missions with an original (non-correction) entry; beneficiaries
  helped = the distinct people of those missions; active volunteers = volunteers with an
  original entry. Months count the same way within each month, so people helped in two
  months count once in the period, not twice.
May run on any thread that owns the registry (the desk's database worker).
"""

from __future__ import annotations

import calendar
import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    case,
    cast,
    distinct,
    func,
    insert,
    select,
)
from sqlalchemy.orm import aliased

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import LOCALE, short_date
from bippop_desk.registry.models import HoursEntry, Mission, MissionType, Volunteer
from bippop_desk.registry.models.missions import HOURS_KINDS
from bippop_desk.registry.services.settings import HourlyRates
from bippop_desk.registry.store import Registry

CENT = Decimal("0.01")
MAX_PERIOD_DAYS = 366 * 5

# Categories of entries that carry no mission type, after every mission type.
KIND_CATEGORIES = {
    "formation": "Formation",
    "reunion": "Réunion",
    "autre": "Autre activité",
    "mission": "Intervention (type non précisé)",
}


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included, with the French name of what it is."""

    start: dt.date
    end: dt.date
    label: str = ""

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        name = format_date(dt.date(year, month, 1), "MMMM y", locale=LOCALE)
        return cls(dt.date(year, month, 1), dt.date(year, month, last), str(name))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValidationError.single("quarter", "Un trimestre va de 1 à 4.")
        first = 3 * quarter - 2
        last_day = calendar.monthrange(year, first + 2)[1]
        ordinal = "1er" if quarter == 1 else f"{quarter}e"
        return cls(
            dt.date(year, first, 1),
            dt.date(year, first + 2, last_day),
            f"{ordinal} trimestre {year}",
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"année {year}")

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        """A custom range; ValidationError (French) when it is backwards or too long."""
        if end < start:
            raise ValidationError.single("end", "La fin de la période est avant son début.")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError.single("end", "La période ne peut pas dépasser cinq ans.")
        # A range that is exactly a month, a quarter or a year is named as such.
        named = [cls.year(start.year), cls.month(start.year, start.month)]
        if start.month % 3 == 1:
            named.append(cls.quarter(start.year, start.month // 3 + 1))
        for period in named:
            if (period.start, period.end) == (start, end):
                return period
        return cls(start, end, f"du {short_date(start)} au {short_date(end)}")

    @property
    def title(self) -> str:
        return self.label or f"du {short_date(self.start)} au {short_date(self.end)}"

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches, in order."""
        months = []
        current = self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = (current + dt.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Category:
    """A line of the synthesis: a mission type (key = its code) or a kind of activity."""

    key: str
    label: str


@dataclass(frozen=True)
class MonthFigures:
    minutes: int
    missions: int
    beneficiaries: int
    volunteers: int


@dataclass(frozen=True)
class VolunteerFigures:
    volunteer_id: str
    first_name: str
    last_name: str
    minutes: int
    missions: int
    mileage_tenths: int

    @property
    def mileage_km(self) -> Decimal:
        return Decimal(self.mileage_tenths) / 10


@dataclass(frozen=True)
class ValuationLine:
    category: Category
    minutes: int
    rate: Decimal
    value: Decimal


@dataclass
class HoursFigures:
    period: Period
    categories: list[Category]
    months: list[dt.date]
    minutes_by: dict[tuple[dt.date, str], int]
    by_month: dict[dt.date, MonthFigures]
    total_minutes: int
    missions: int
    beneficiaries: int
    volunteers: int
    mileage_tenths: int
    entries: int
    per_volunteer: list[VolunteerFigures] = field(default_factory=list)

    def category_minutes(self, key: str) -> int:
        return sum(self.minutes_by.get((month, key), 0) for month in self.months)

    @property
    def mileage_km(self) -> Decimal:
        return Decimal(self.mileage_tenths) / 10

    def valuation(self, rates: HourlyRates) -> list[ValuationLine]:
        """Hours × rate per category, each line rounded to the cent (half away from 0)."""
        lines = []
        for category in self.categories:
            minutes = self.category_minutes(category.key)
            rate = rates.rate(category.key)
            value = (Decimal(minutes) * rate / 60).quantize(CENT, ROUND_HALF_UP)
            lines.append(ValuationLine(category, minutes, rate, value))
        return lines

    def total_value(self, rates: HourlyRates) -> Decimal:
        return sum((line.value for line in self.valuation(rates)), Decimal(0))


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours to the cent, the way the workbook's figures are compared."""
    return (Decimal(minutes) / 60).quantize(CENT, ROUND_HALF_UP)


# The period's entries, resolved once per report into a temporary table of this
# connection (flat rows, no joins left): the figures then take a few cheap GROUP BYs
# instead of re-joining every entry for each.
_period = Table(
    "hours_period",
    MetaData(),
    Column("entry_date", String),  # ISO text: dt.date.fromisoformat is the fast path
    Column("month", String),
    Column("volunteer_id", String),
    Column("first_name", String),
    Column("last_name", String),
    Column("minutes", Integer),
    Column("tenths", Integer),
    Column("kind", String),
    Column("type_id", String),
    Column("base_kind", String),
    Column("counted_mission", String),
    Column("counted_person", String),
    Column("counted_volunteer", String),
    Column("created_at", String),
    prefixes=["TEMPORARY"],
)


def _resolved_entries(commune_id: str, period: Period) -> Select[Any]:
    """Each entry of the period with its resolved mission type, base kind and the
    mission, person and volunteer it counts for (None for corrections)."""
    entry = HoursEntry
    own_mission = aliased(Mission)
    corrected = aliased(HoursEntry)
    original = entry.kind != "correction"
    return (
        select(
            cast(entry.entry_date, String),
            func.substr(cast(entry.entry_date, String), 1, 7),  # "2026-03"
            entry.volunteer_id,
            Volunteer.first_name,
            Volunteer.last_name,
            entry.minutes,
            cast(func.round(func.coalesce(entry.mileage_km, 0) * 10), Integer),
            entry.kind,
            func.coalesce(
                entry.mission_type_id, own_mission.mission_type_id, corrected.mission_type_id
            ),
            case((original, entry.kind), else_=func.coalesce(corrected.kind, "autre")),
            case((original, entry.mission_id), else_=None),
            case((original, own_mission.beneficiary_id), else_=None),
            case((original, entry.volunteer_id), else_=None),
            cast(entry.created_at, String),
        )
        .join(Volunteer, Volunteer.id == entry.volunteer_id)
        .outerjoin(own_mission, own_mission.id == entry.mission_id)
        .outerjoin(corrected, corrected.id == entry.corrects_entry_id)
        .where(
            entry.entry_date >= period.start,
            entry.entry_date <= period.end,
            entry.commune_id == commune_id,
        )
    )


class _Types:
    """Mission types by id (a small table read once), and how entries map to categories."""

    def __init__(self, rows: Iterable[tuple[str, str, str, int]]) -> None:
        rows = list(rows)
        self.by_id = {tid: Category(code, label) for tid, code, label, _ in rows}
        self.order = {code: (0, order, label) for _, code, label, order in rows}

    def category(self, type_id: str | None, base_kind: str) -> Category:
        if type_id is not None and type_id in self.by_id:
            return self.by_id[type_id]
        kind = base_kind if base_kind in KIND_CATEGORIES else "autre"
        return Category(kind, KIND_CATEGORIES[kind])

    def sort_key(self, category: Category) -> tuple[int, int, str]:
        if category.key in self.order:
            return self.order[category.key]
        return (1, list(KIND_CATEGORIES).index(category.key), category.label)


def _month_of(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:7]), 1)


class HoursReport:
    """The period's figures computed in SQL, in one read transaction: the reference the
    workbook's own counting (`PeriodEntries`) is checked against. Get one from
    `hours_report()`."""

    def __init__(self, conn: Connection, period: Period) -> None:
        self.conn = conn
        self.period = period
        self.types = _Types(
            conn.execute(
                select(MissionType.id, MissionType.code, MissionType.label, MissionType.sort_order)
            ).all()
        )

    def figures(self) -> HoursFigures:
        """Every figure of the period's workbook except the detail lines."""
        conn, e, types = self.conn, _period.c, self.types
        minutes_by: dict[tuple[dt.date, str], int] = {}
        categories: dict[str, Category] = {}
        cells = conn.execute(
            select(e.month, e.type_id, e.base_kind, func.sum(e.minutes)).group_by(
                e.month, e.type_id, e.base_kind
            )
        )
        for month, type_id, base_kind, minutes in cells:
            category = types.category(type_id, base_kind)
            categories[category.key] = category
            key = (_month_of(month), category.key)
            minutes_by[key] = minutes_by.get(key, 0) + int(minutes or 0)
        counts = (
            func.coalesce(func.sum(e.minutes), 0),
            func.count(distinct(e.counted_mission)),
            func.count(distinct(e.counted_person)),
            func.count(distinct(e.counted_volunteer)),
        )
        by_month = {
            _month_of(month): MonthFigures(int(m), missions, people, volunteers)
            for month, m, missions, people, volunteers in conn.execute(
                select(e.month, *counts).group_by(e.month)
            )
        }
        total = conn.execute(
            select(*counts, func.coalesce(func.sum(e.tenths), 0), func.count())
        ).one()
        per_volunteer = [
            VolunteerFigures(vid, first, last, int(minutes), missions, int(tenths))
            for vid, first, last, minutes, missions, tenths in conn.execute(
                select(
                    e.volunteer_id,
                    func.min(e.first_name),
                    func.min(e.last_name),
                    func.sum(e.minutes),
                    func.count(distinct(e.counted_mission)),
                    func.sum(e.tenths),
                )
                .group_by(e.volunteer_id)
                .order_by(func.min(e.last_name), func.min(e.first_name), e.volunteer_id)
            )
        ]
        return HoursFigures(
            period=self.period,
            categories=sorted(categories.values(), key=types.sort_key),
            months=self.period.months(),
            minutes_by=minutes_by,
            by_month=by_month,
            total_minutes=int(total[0]),
            missions=int(total[1]),
            beneficiaries=int(total[2]),
            volunteers=int(total[3]),
            mileage_tenths=int(total[4]),
            entries=int(total[5]),
            per_volunteer=per_volunteer,
        )


@contextmanager
def hours_report(registry: Registry, period: Period) -> Iterator[HoursReport]:
    """Open the period for reading: one connection, one read transaction, the
    entries resolved once. Use it within a `with` block on one thread."""
    with registry.engine.connect() as conn:
        # The resolved rows (~25 MB for a large city's year) stay in memory, not in a
        # temporary file: a third faster, and well within the export's memory budget.
        # SQLite refuses this pragma inside a transaction: it goes straight to the
        # driver's connection, before BEGIN and after the end.
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA temp_store=MEMORY")
        try:
            with conn.begin():
                yield from _resolved_report(conn, registry.commune_id, period)
        finally:
            raw.execute("PRAGMA temp_store=DEFAULT")


def _resolved_report(conn: Connection, commune_id: str, period: Period) -> Iterator[HoursReport]:
    _period.drop(conn, checkfirst=True)
    _period.create(conn)
    try:
        conn.execute(
            insert(_period).from_select(
                [c.name for c in _period.columns], _resolved_entries(commune_id, period)
            )
        )
        yield HoursReport(conn, period)
    finally:
        _period.drop(conn, checkfirst=True)


def hours_figures(registry: Registry, period: Period) -> HoursFigures:
    """Every figure of the period's workbook except the detail lines."""
    with hours_report(registry, period) as report:
        return report.figures()


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

    def __init__(self, types: _Types) -> None:
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
            first_day = _month_of(text)
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

    def __init__(self, rows: sqlite3.Cursor, types: _Types, period: Period) -> None:
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
            types = _Types(conn.execute("SELECT id, code, label, sort_order FROM mission_type"))
            cursor = conn.execute(_ENTRIES_SQL.format(who=who), params)
            yield PeriodEntries(cursor, types, period)
        finally:
            if cursor is not None:
                cursor.close()
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # a read: nothing to keep
            conn.execute("PRAGMA temp_store=DEFAULT")
