"""The impact dashboard (tableau de bord) for a period: hours given and their value,
missions by type, people reached (and how many are not online), active and new
volunteers, match rate and time to match, register coverage.

Hours, missions, people reached and active volunteers are the hours workbook's own
figures (`hours_report`, same resolved entries, same counting rules), so the dashboard
and the workbook sent to the conseil départemental never disagree; the figures the
workbook does not carry are counted on that same set of resolved entries, in the same
read transaction. May run on any thread that owns the registry (the DB worker).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, text

from bippop_desk.registry.services.followups import MatchStats, match_stats
from bippop_desk.registry.services.hours_report import (
    HoursFigures,
    Period,
    hours_report,
)
from bippop_desk.registry.services.settings import hourly_rates
from bippop_desk.registry.store import Registry

# Counted on the workbook's temporary table of resolved entries (hours_report): a
# mission counts under its resolved type, a person once, corrections never.
_MISSIONS_BY_TYPE = """
SELECT coalesce(t.label, 'Type inconnu'), count(DISTINCT p.counted_mission) AS n
FROM hours_period AS p LEFT JOIN mission_type AS t ON t.id = p.type_id
WHERE p.counted_mission IS NOT NULL
GROUP BY p.type_id ORDER BY n DESC, 1
"""
_PEOPLE_OFFLINE = """
SELECT count(*) FROM beneficiary
WHERE has_internet = 0 AND id IN (
    SELECT counted_person FROM hours_period WHERE counted_person IS NOT NULL)
"""
_NEW_VOLUNTEERS = """
SELECT count(*) FROM volunteer
WHERE deleted_at IS NULL AND created_at >= :start AND created_at < :end
"""
# The register as it stood at the end of the period, and who of it was reached.
_REGISTER = """
SELECT count(*),
       sum(beneficiary_id IN (
           SELECT counted_person FROM hours_period WHERE counted_person IS NOT NULL))
FROM register_entry
WHERE deleted_at IS NULL AND request_date <= :end
  AND (removed_on IS NULL OR removed_on > :end)
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
        return [
            (month, Decimal(figures.minutes) / 60)
            for month, figures in sorted(self.hours.by_month.items())
        ]


def _has_table(conn: Connection, name: str) -> bool:
    found = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
    ).first()
    return found is not None


def dashboard(registry: Registry, period: Period) -> Dashboard:
    """Every figure of the dashboard for `period` (DB worker)."""
    rates = hourly_rates(registry)
    with hours_report(registry, period) as report:
        figures = report.figures()
        conn: Connection = report.conn
        by_type = [
            TypeCount(str(label), int(n)) for label, n in conn.execute(text(_MISSIONS_BY_TYPE))
        ]
        offline = int(conn.execute(text(_PEOPLE_OFFLINE)).scalar() or 0)
        bounds = {
            "start": dt.datetime.combine(period.start, dt.time()),
            "end": dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()),
        }
        new_volunteers = int(conn.execute(text(_NEW_VOLUNTEERS), bounds).scalar() or 0)
        registered: int | None = None
        reached = 0
        if _has_table(conn, "register_entry"):
            row = conn.execute(text(_REGISTER), {"end": period.end}).one()
            registered, reached = int(row[0] or 0), int(row[1] or 0)
    return Dashboard(
        period=period,
        hours=figures,
        value=figures.total_value(rates),
        rates_source=rates.source,
        missions_by_type=by_type,
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
