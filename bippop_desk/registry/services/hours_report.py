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
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from babel.dates import format_date
from sqlalchemy import Integer as SqlInteger
from sqlalchemy import Subquery, and_, case, cast, distinct, func, select
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


def _entries(registry: Registry, period: Period) -> Subquery:
    """Each entry of the period with its resolved mission type and base kind."""
    entry = HoursEntry
    own_mission = aliased(Mission)
    corrected = aliased(HoursEntry)
    is_correction = entry.kind == "correction"
    original = ~is_correction
    return (
        select(
            entry.id,
            entry.entry_date,
            entry.volunteer_id,
            entry.minutes,
            cast(func.round(func.coalesce(entry.mileage_km, 0) * 10), SqlInteger).label("tenths"),
            entry.kind,
            entry.created_at,
            func.coalesce(
                entry.mission_type_id, own_mission.mission_type_id, corrected.mission_type_id
            ).label("type_id"),
            case((is_correction, func.coalesce(corrected.kind, "autre")), else_=entry.kind).label(
                "base_kind"
            ),
            case((original, entry.mission_id), else_=None).label("counted_mission"),
            case((original, own_mission.beneficiary_id), else_=None).label("counted_person"),
            case((original, entry.volunteer_id), else_=None).label("counted_volunteer"),
            func.strftime("%Y-%m", entry.entry_date).label("month"),
        )
        .outerjoin(own_mission, own_mission.id == entry.mission_id)
        .outerjoin(corrected, corrected.id == entry.corrects_entry_id)
        .where(
            and_(
                entry.entry_date >= period.start,
                entry.entry_date <= period.end,
                entry.commune_id == registry.commune_id,
            )
        )
        .subquery("e")
    )


class _Types:
    """Mission types by id (a small table read once), and how entries map to categories."""

    def __init__(self, conn: Any) -> None:
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


def hours_figures(registry: Registry, period: Period) -> HoursFigures:
    """Every figure of the period's workbook except the detail lines."""
    e = _entries(registry, period)
    with registry.engine.connect() as conn:
        types = _Types(conn)
        minutes_by: dict[tuple[dt.date, str], int] = {}
        categories: dict[str, Category] = {}
        cells = conn.execute(
            select(e.c.month, e.c.type_id, e.c.base_kind, func.sum(e.c.minutes)).group_by(
                e.c.month, e.c.type_id, e.c.base_kind
            )
        )
        for month, type_id, base_kind, minutes in cells:
            category = types.category(type_id, base_kind)
            categories[category.key] = category
            key = (_month_of(month), category.key)
            minutes_by[key] = minutes_by.get(key, 0) + int(minutes or 0)

        counts = (
            func.coalesce(func.sum(e.c.minutes), 0),
            func.count(distinct(e.c.counted_mission)),
            func.count(distinct(e.c.counted_person)),
            func.count(distinct(e.c.counted_volunteer)),
        )
        by_month = {
            _month_of(month): MonthFigures(int(m), missions, people, volunteers)
            for month, m, missions, people, volunteers in conn.execute(
                select(e.c.month, *counts).group_by(e.c.month)
            )
        }
        total = conn.execute(
            select(*counts, func.coalesce(func.sum(e.c.tenths), 0), func.count())
        ).one()
        per_volunteer = [
            VolunteerFigures(vid, first, last, int(minutes), missions, int(tenths))
            for vid, first, last, minutes, missions, tenths in conn.execute(
                select(
                    e.c.volunteer_id,
                    Volunteer.first_name,
                    Volunteer.last_name,
                    func.sum(e.c.minutes),
                    func.count(distinct(e.c.counted_mission)),
                    func.sum(e.c.tenths),
                )
                .join(Volunteer, Volunteer.id == e.c.volunteer_id)
                .group_by(e.c.volunteer_id)
                .order_by(Volunteer.last_name, Volunteer.first_name, e.c.volunteer_id)
            )
        ]
    ordered = sorted(categories.values(), key=types.sort_key)
    return HoursFigures(
        period=period,
        categories=ordered,
        months=period.months(),
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


def detail_lines(registry: Registry, period: Period, batch: int = 2000) -> Iterator[DetailLine]:
    """The period's entries by date then volunteer, streamed in batches (a year of a
    large city never sits in memory). Close the iterator (or exhaust it) to release
    the connection."""
    e = _entries(registry, period)
    query = (
        select(
            e.c.entry_date,
            e.c.kind,
            e.c.type_id,
            e.c.base_kind,
            e.c.volunteer_id,
            Volunteer.first_name,
            Volunteer.last_name,
            e.c.minutes,
            e.c.tenths,
        )
        .join(Volunteer, Volunteer.id == e.c.volunteer_id)
        .order_by(e.c.entry_date, Volunteer.last_name, Volunteer.first_name, e.c.created_at)
    )
    with registry.engine.connect() as conn:
        types = _Types(conn)
        kinds = HOURS_KINDS
        result = conn.execution_options(yield_per=batch).execute(query)
        for day, kind, type_id, base_kind, vid, first, last, minutes, tenths in result:
            yield DetailLine(
                day,
                kinds.get(kind, kind),
                types.category(type_id, base_kind).label,
                vid,
                first,
                last,
                minutes,
                tenths,
            )
