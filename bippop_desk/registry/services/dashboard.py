"""The impact dashboard (tableau de bord) for a period: hours given and their value,
missions by type, people reached (and how many are not online), active and new
volunteers, match rate and time to match, register coverage.

Hours, missions, people reached and active volunteers follow the hours workbook's
counting rules (`hours_report`: net hours, corrections on their own date under the
category of the entry they fix, distinct missions / people / volunteers of original
entries), on the entries as `hours_fact` resolved them when they were written (see
registry/hours_facts.py): a large city's year (~120,000 entries) is one index-only range
scan of small integer tuples. The tests check every figure against the workbook file.
May run on any thread that owns the registry (the DB worker).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from bippop_desk.registry import hours_facts
from bippop_desk.registry.models.missions import HOURS_KINDS
from bippop_desk.registry.services.followups import MatchStats, match_stats
from bippop_desk.registry.services.hours_period import (
    Category,
    CategoryTypes,
    HoursFigures,
    MonthFigures,
    Period,
)
from bippop_desk.registry.services.settings import hourly_rates
from bippop_desk.registry.store import Registry

_OFFLINE = "SELECT rowid FROM beneficiary WHERE has_internet = 0"
_NEW_VOLUNTEERS = """
SELECT count(*) FROM volunteer
WHERE deleted_at IS NULL AND created_at >= ? AND created_at < ?
"""
# The register as it stood at the end of the period (people as beneficiary rowids).
_REGISTER = """
SELECT b.rowid FROM register_entry AS r JOIN beneficiary AS b ON b.id = r.beneficiary_id
WHERE r.deleted_at IS NULL AND r.request_date <= ? AND (r.removed_on IS NULL OR r.removed_on > ?)
"""


@dataclass(frozen=True)
class TypeCount:
    label: str
    missions: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    hours: HoursFigures  # the workbook's figures (without its per-volunteer lines)
    value: Decimal  # valorisation: hours × the commune's rates, as in the workbook
    rates_source: str
    missions_by_type: list[TypeCount]
    people_offline: int  # people reached who have no internet access
    new_volunteers: int  # signed up during the period
    matching: MatchStats
    registered: int | None  # register entries in force at the period's end (None: no register)
    registered_reached: int

    @property
    def hours_total(self) -> Decimal:
        return (Decimal(self.hours.total_minutes) / 60).quantize(Decimal("0.01"))

    @property
    def offline_share(self) -> float | None:
        people = self.hours.beneficiaries
        return self.people_offline / people if people else None

    @property
    def register_coverage(self) -> float | None:
        return self.registered_reached / self.registered if self.registered else None

    def hours_by_month(self) -> list[tuple[dt.date, Decimal]]:
        """Every month of the period, in order (0 for a month without entries)."""
        return [
            (
                month,
                Decimal(self.hours.by_month[month].minutes if month in self.hours.by_month else 0)
                / 60,
            )
            for month in self.hours.months
        ]


@dataclass
class _Pass:
    figures: HoursFigures  # without the per-volunteer lines (the dashboard shows none)
    missions_by_type: Counter[str]  # type label → distinct missions
    people: set[int]  # beneficiary rowids of the people reached


def _count(conn: sqlite3.Connection, period: Period) -> _Pass:
    """The workbook's counting rules (see hours_stream) over the period's facts, in one
    pass: minutes by month and category (an entry's type, else the kind it counts
    under), distinct missions, people and volunteers of original entries."""
    type_rows = conn.execute("SELECT id, code, label, sort_order FROM mission_type").fetchall()
    types = CategoryTypes(type_rows)
    by_id = types.by_id
    by_kind = {kind: types.category(None, kind) for kind in HOURS_KINDS}
    other = types.category(None, "autre")
    minutes_by: dict[tuple[int, str], int] = {}
    categories: dict[str, Category] = {}
    months: dict[int, tuple[set[int], set[int], set[int]]] = {}
    mission_types: dict[int, str | None] = {}
    total = tenths_total = entries = 0
    bounds = (period.start.isoformat(), period.end.isoformat())
    sets: tuple[set[int], set[int], set[int]] = (set(), set(), set())
    current = -1
    for (
        month,
        minutes,
        tenths,
        type_id,
        base,
        original,
        mission,
        person,
        volunteer,
    ) in conn.execute(hours_facts.PERIOD_SQL, bounds):
        category = by_id.get(type_id)  # None: no type (training, meetings…)
        if category is None:
            category = by_kind.get(base) or other
        key = (month, category.key)
        if key in minutes_by:
            minutes_by[key] += minutes
        else:
            minutes_by[key] = minutes
            categories[category.key] = category
        total += minutes
        tenths_total += tenths
        entries += 1
        if original:
            if month != current:
                current = month
                sets = months.setdefault(month, (set(), set(), set()))
            sets[2].add(volunteer)
            if mission is not None:
                sets[0].add(mission)
                mission_types[mission] = type_id
                if person is not None:
                    sets[1].add(person)
    month_minutes: dict[int, int] = {}
    for (month, _key), minutes in minutes_by.items():
        month_minutes[month] = month_minutes.get(month, 0) + minutes
    empty: tuple[set[int], set[int], set[int]] = (set(), set(), set())
    by_month = {
        _first_day(month): MonthFigures(
            month_minutes[month],
            len(months.get(month, empty)[0]),
            len(months.get(month, empty)[1]),
            len(months.get(month, empty)[2]),
        )
        for month in sorted(month_minutes)
    }
    reached: set[int] = set().union(*(m[1] for m in months.values()))
    labels = {tid: label for tid, _code, label, _order in type_rows}
    by_type: Counter[str] = Counter(
        labels.get(t, "Type inconnu") if t is not None else "Type inconnu"
        for t in mission_types.values()
    )
    figures = HoursFigures(
        period=period,
        categories=sorted(categories.values(), key=types.sort_key),
        months=period.months(),
        minutes_by={(_first_day(month), key): m for (month, key), m in minutes_by.items()},
        by_month=by_month,
        total_minutes=total,
        missions=len(mission_types),
        beneficiaries=len(reached),
        volunteers=len(set().union(*(m[2] for m in months.values()))),
        mileage_tenths=tenths_total,
        entries=entries,
    )
    return _Pass(figures, by_type, reached)


def _first_day(month: int) -> dt.date:
    return dt.date(month // 100, month % 100, 1)


def dashboard(registry: Registry, period: Period) -> Dashboard:
    """Every figure of the dashboard for `period`, from one read transaction (DB worker)."""
    rates = hourly_rates(registry)
    with registry.raw() as conn:
        hours_facts.ensure_current(conn)  # a development build of 0008: resolve once
        conn.execute("BEGIN")
        try:
            counted = _count(conn, period)
            offline = sum(1 for (pid,) in conn.execute(_OFFLINE) if pid in counted.people)
            start = dt.datetime.combine(period.start, dt.time()).isoformat(" ")
            end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()).isoformat(" ")
            new_volunteers = int(conn.execute(_NEW_VOLUNTEERS, (start, end)).fetchone()[0])
            registered: int | None = None
            reached = 0
            has_register = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'register_entry'"
            ).fetchone()
            if has_register:
                day = period.end.isoformat()
                entries = [pid for (pid,) in conn.execute(_REGISTER, (day, day))]
                registered = len(entries)
                reached = sum(1 for pid in entries if pid in counted.people)
        finally:
            conn.execute("ROLLBACK")  # a read: nothing to keep
    by_type = counted.missions_by_type
    figures = counted.figures
    return Dashboard(
        period=period,
        hours=figures,
        value=figures.total_value(rates),
        rates_source=rates.source,
        missions_by_type=[
            TypeCount(label, n) for label, n in sorted(by_type.items(), key=lambda i: (-i[1], i[0]))
        ],
        people_offline=offline,
        new_volunteers=new_volunteers,
        matching=match_stats(registry, period.start, period.end),
        registered=registered,
        registered_reached=reached,
    )


# -- French display of the figures (the page and the annual report say them alike) --------
def fr_number(value: float | Decimal | int, decimals: int = 0) -> str:
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale="fr_FR"))


def fr_euros(value: Decimal) -> str:
    return f"{fr_number(value, 2)} €"


def fr_percent(share: float | None) -> str:
    return "—" if share is None else f"{fr_number(share * 100)} %"


def fr_days(days: float | None) -> str:
    return "—" if days is None else f"{fr_number(days, 1)} j"


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    detail: str = ""


def key_figures(board: Dashboard) -> list[KeyFigure]:
    """The headline figures, in the order the page and the report show them."""
    match = board.matching
    wanted = match.received - match.cancelled_unmatched
    figures = [
        KeyFigure("Heures de bénévolat", fr_number(board.hours_total, 1), "heures nettes"),
        KeyFigure("Valorisation", fr_euros(board.value), "heures × taux horaire"),
        KeyFigure("Interventions", fr_number(board.hours.missions)),
        KeyFigure(
            "Bénéficiaires aidés",
            fr_number(board.hours.beneficiaries),
            f"dont {fr_number(board.people_offline)} sans internet "
            f"({fr_percent(board.offline_share)})",
        ),
        KeyFigure(
            "Bénévoles actifs",
            fr_number(board.hours.volunteers),
            f"{fr_number(board.new_volunteers)} nouveau(x) inscrit(s)",
        ),
        KeyFigure(
            "Demandes satisfaites",
            fr_percent(match.match_rate),
            f"{fr_number(match.matched)} sur {fr_number(wanted)} ; "
            f"délai médian {fr_days(match.median_days_to_match)}",
        ),
    ]
    if board.registered is not None:
        figures.append(
            KeyFigure(
                "Registre canicule couvert",
                fr_percent(board.register_coverage),
                (
                    f"{fr_number(board.registered_reached)} inscrit(s) sur "
                    f"{fr_number(board.registered)} ont eu une intervention"
                )
                if board.registered
                else "personne n'est inscrit au registre",
            )
        )
    return figures
