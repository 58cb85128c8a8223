"""The shapes of the hours figures: a period, categories, the figures of a month, a
volunteer and the whole period, and how an entry's mission type maps to its category.
The counting rules are in `hours_report` (SQL, the reference) and `hours_stream`
(the workbook's single pass)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import LOCALE, short_date
from bippop_desk.registry.services.settings import HourlyRates

CENT = Decimal("0.01")
MAX_PERIOD_DAYS = 366 * 5

# Categories of entries that carry no mission type, after every mission type.
KIND_CATEGORIES = {
    "formation": "Formation",
    "reunion": "Réunion",
    "autre": "Autre activité",
    "mission": "Intervention (type non précisé)",
}


# The years a period may name: registries hold this century's hours; far years are typos.
MIN_YEAR, MAX_YEAR = 1900, 2200


def check_year(year: int, field: str = "period") -> None:
    """ValidationError (French) for a year no period may name."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError.single(
            field, f"L'année {year} est hors limites (de {MIN_YEAR} à {MAX_YEAR})."
        )


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included, with the French name of what it is."""

    start: dt.date
    end: dt.date
    label: str = ""

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        check_year(year)
        if not 1 <= month <= 12:
            raise ValidationError.single("period", "Un mois va de 1 à 12.")
        last = calendar.monthrange(year, month)[1]
        name = format_date(dt.date(year, month, 1), "MMMM y", locale=LOCALE)
        return cls(dt.date(year, month, 1), dt.date(year, month, last), str(name))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValidationError.single("quarter", "Un trimestre va de 1 à 4.")
        check_year(year)
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
        check_year(year)
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"année {year}")

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        """A custom range; ValidationError (French) when it is backwards or too long."""
        check_year(start.year)
        check_year(end.year)
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


class CategoryTypes:
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


def month_of(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:7]), 1)
