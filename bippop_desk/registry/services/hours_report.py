"""The figures of volunteer hours over a period, computed in SQL by the registry.

These are the registry's own figures: the hours workbook writes them and the tests
check the workbook (and LibreOffice's recomputation of its formulas) against them.

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

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
# instead of re-joining every entry for each, and the detail lines read the same rows.
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

    def __init__(self, conn: Connection) -> None:
        rows = conn.execute(
            select(MissionType.id, MissionType.code, MissionType.label, MissionType.sort_order)
        ).all()
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


class DetailLine(NamedTuple):
    """One hours entry as the workbook's detail sheet shows it (no beneficiary data)."""

    entry_date: dt.date
    kind: str
    category: str
    volunteer_id: str
    first_name: str
    last_name: str
    minutes: int
    mileage_tenths: int


class HoursReport:
    """The period's figures and detail lines, read in one transaction (they agree even
    if hours are logged meanwhile). Get one from `hours_report()`."""

    def __init__(self, conn: Connection, period: Period) -> None:
        self.conn = conn
        self.period = period
        self.types = _Types(conn)

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

    def detail_lines(self, batch: int = 2000, *, by_name: bool = True) -> Iterator[DetailLine]:
        """The period's entries by date then volunteer name (or, with `by_name=False`,
        volunteer id: a pseudonymised export must not leak the alphabetical order of
        names), streamed in batches (a year of a large city never sits in memory)."""
        e = _period.c
        who = (e.last_name, e.first_name) if by_name else (e.volunteer_id,)
        query = select(
            e.entry_date,
            e.kind,
            e.type_id,
            e.base_kind,
            e.volunteer_id,
            e.first_name,
            e.last_name,
            e.minutes,
            e.tenths,
        ).order_by(e.entry_date, *who, e.created_at)
        category, kinds, as_date = self.types.category, HOURS_KINDS, dt.date.fromisoformat
        labels: dict[tuple[str | None, str], str] = {}
        result = self.conn.execution_options(yield_per=batch).execute(query)
        for day, kind, type_id, base_kind, vid, first, last, minutes, tenths in result:
            label = labels.get((type_id, base_kind))
            if label is None:
                label = labels[(type_id, base_kind)] = category(type_id, base_kind).label
            yield DetailLine(
                as_date(day), kinds.get(kind, kind), label, vid, first, last, minutes, tenths
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


def detail_lines(registry: Registry, period: Period, batch: int = 2000) -> Iterator[DetailLine]:
    """The period's detail lines on their own (close or exhaust the iterator to
    release its connection)."""
    with hours_report(registry, period) as report:
        yield from report.detail_lines(batch)
