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

The shapes (Period, HoursFigures, ...) live in `hours_period`, the single pass in
`hours_stream`; both are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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

from bippop_desk.registry.models import HoursEntry, Mission, MissionType, Volunteer
from bippop_desk.registry.services.hours_period import (
    CENT,
    KIND_CATEGORIES,
    MAX_PERIOD_DAYS,
    Category,
    CategoryTypes,
    HoursFigures,
    MonthFigures,
    Period,
    ValuationLine,
    VolunteerFigures,
    hours_of,
    month_of,
)
from bippop_desk.registry.services.hours_stream import (
    DetailLine,
    PeriodEntries,
    period_entries,
)
from bippop_desk.registry.store import Registry

__all__ = [
    "CENT",
    "KIND_CATEGORIES",
    "MAX_PERIOD_DAYS",
    "Category",
    "DetailLine",
    "HoursFigures",
    "HoursReport",
    "MonthFigures",
    "Period",
    "PeriodEntries",
    "ValuationLine",
    "VolunteerFigures",
    "hours_figures",
    "hours_of",
    "hours_report",
    "period_entries",
]

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


class HoursReport:
    """The period's figures computed in SQL, in one read transaction: the reference the
    workbook's own counting (`PeriodEntries`) is checked against. Get one from
    `hours_report()`."""

    def __init__(self, conn: Connection, period: Period) -> None:
        self.conn = conn
        self.period = period
        self.types = CategoryTypes(
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
            key = (month_of(month), category.key)
            minutes_by[key] = minutes_by.get(key, 0) + int(minutes or 0)
        counts = (
            func.coalesce(func.sum(e.minutes), 0),
            func.count(distinct(e.counted_mission)),
            func.count(distinct(e.counted_person)),
            func.count(distinct(e.counted_volunteer)),
        )
        by_month = {
            month_of(month): MonthFigures(int(m), missions, people, volunteers)
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
