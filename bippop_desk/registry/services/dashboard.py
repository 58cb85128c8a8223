"""The impact dashboard (tableau de bord) for a period: hours given and their value,
missions by type, people reached (and how many are not online), active and new
volunteers, match rate and time to match, register coverage.

Hours, missions, people reached and active volunteers are counted by the hours
workbook's own counter (`hours_stream`: same resolution of entries, same rules), so the
dashboard and the workbook sent to the conseil départemental never disagree (tested
against the workbook file). The dashboard reads the period's entries once, unsorted and
without the volunteers' names (it needs neither), through covering indexes (migration
0008): a large city's year (~120,000 entries) in a few hundred milliseconds.
May run on any thread that owns the registry (the DB worker).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from bippop_desk.registry.services.followups import MatchStats, match_stats
from bippop_desk.registry.services.hours_period import CategoryTypes, HoursFigures, Period
from bippop_desk.registry.services.hours_stream import _Counter as WorkbookCounter
from bippop_desk.registry.services.settings import hourly_rates
from bippop_desk.registry.store import Registry

BATCH = 10_000
# The workbook's resolution of each entry (hours_stream._ENTRIES_SQL), in its row shape,
# minus what the dashboard does not show (names, order). INDEXED BY: the covering
# indexes of migration 0008 (SQLite's planner otherwise prefers the primary-key index
# and a table lookup per entry, three times slower).
_ENTRIES = """
SELECT e.entry_date, e.kind, e.volunteer_id, '', '', e.minutes,
       CAST(round(coalesce(e.mileage_km, 0) * 10) AS INTEGER),
       coalesce(e.mission_type_id, m.mission_type_id, c.mission_type_id),
       c.kind, e.mission_id, m.beneficiary_id
FROM hours_entry AS e INDEXED BY ix_hours_entry_dashboard
LEFT JOIN mission AS m INDEXED BY ix_mission_dashboard ON m.id = e.mission_id
LEFT JOIN hours_entry AS c ON c.id = e.corrects_entry_id
WHERE e.entry_date >= ? AND e.entry_date <= ? AND e.commune_id = ?
"""
_INDEXES = "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_dashboard'"
_OFFLINE = "SELECT id FROM beneficiary WHERE has_internet = 0 AND deleted_at IS NULL"
_NEW_VOLUNTEERS = """
SELECT count(*) FROM volunteer
WHERE deleted_at IS NULL AND created_at >= ? AND created_at < ?
"""
# The register as it stood at the end of the period.
_REGISTER = """
SELECT beneficiary_id FROM register_entry
WHERE deleted_at IS NULL AND request_date <= ? AND (removed_on IS NULL OR removed_on > ?)
"""


@dataclass(frozen=True)
class TypeCount:
    label: str
    missions: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    hours: HoursFigures  # the workbook's figures, as they are
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
    figures: HoursFigures
    mission_types: dict[str, str | None]  # counted mission → its resolved type id
    people: set[str]


def _count_entries(conn: sqlite3.Connection, commune_id: str, period: Period) -> _Pass:
    types = CategoryTypes(conn.execute("SELECT id, code, label, sort_order FROM mission_type"))
    counter = WorkbookCounter(types)
    mission_types: dict[str, str | None] = {}
    sql = _ENTRIES
    indexes = {name for (name,) in conn.execute(_INDEXES)}
    for hint in ("ix_hours_entry_dashboard", "ix_mission_dashboard"):
        if hint not in indexes:  # a file made before 0008 gained them: slower, still right
            sql = sql.replace(f"INDEXED BY {hint}", "")
    cursor = conn.execute(sql, (period.start.isoformat(), period.end.isoformat(), commune_id))
    while batch := cursor.fetchmany(BATCH):
        counter.add(batch)
        for row in batch:
            if row[9] is not None and row[1] != "correction":
                mission_types[row[9]] = row[7]
    people: set[str] = set()
    for month in counter.months.values():
        people |= month.people
    return _Pass(counter.figures(period), mission_types, people)


def dashboard(registry: Registry, period: Period) -> Dashboard:
    """Every figure of the dashboard for `period`, from one read transaction (DB worker)."""
    rates = hourly_rates(registry)
    commune_id = registry.commune_id
    with registry.raw() as conn:
        conn.execute("BEGIN")
        try:
            counted = _count_entries(conn, commune_id, period)
            labels = dict(conn.execute("SELECT id, label FROM mission_type").fetchall())
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
    by_type = Counter(
        labels.get(tid, "Type inconnu") if tid else "Type inconnu"
        for tid in counted.mission_types.values()
    )
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
