"""What the coordinator should look at: requests waiting too long for a volunteer,
people nobody has heard from, concerns raised after a visit, and how well requests
get matched over a period.

"Contact" with a beneficiary is the latest of: their registration, a request they
made, a visit that took place (done or validated), and `Beneficiary.last_contact_at`
(set by calls, e.g. a heatwave campaign). Request and record-keeping times are UTC,
visit times are Paris wall clock: each is compared with its own threshold.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, func, select, true, type_coerce

from bippop_desk.registry.clock import PARIS, local_now, utc_to_local, utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import Beneficiary, Mission, MissionType, Request, Volunteer
from bippop_desk.registry.services import validation
from bippop_desk.registry.store import Registry

WAITING = ("nouvelle", "en_recherche")
DONE = ("realisee", "validee")


@dataclass(frozen=True)
class WaitingRequest:
    id: str
    beneficiary_id: str
    beneficiary: str
    mission_type: str
    received_at: dt.datetime  # UTC
    days_waiting: int
    urgent: bool


def unmatched_requests(
    registry: Registry, older_than_days: int = 7, *, now: dt.datetime | None = None
) -> list[WaitingRequest]:
    """Requests still without a volunteer more than `older_than_days` after they came
    in, urgent ones first, then the longest waiting."""
    now = now or utcnow()
    limit = now - dt.timedelta(days=older_than_days)
    query = (
        select(
            Request.id,
            Request.beneficiary_id,
            Beneficiary.first_name,
            Beneficiary.last_name,
            MissionType.label,
            Request.received_at,
            Request.urgency,
        )
        .join(Beneficiary, Beneficiary.id == Request.beneficiary_id)
        .join(MissionType, MissionType.id == Request.mission_type_id)
        .where(
            Request.status.in_(WAITING),
            Request.received_at < limit,
            Request.deleted_at.is_(None),
        )
    )
    with registry.engine.connect() as conn:
        rows = conn.execute(query).all()
    found = [
        WaitingRequest(
            rid,
            bid,
            f"{first} {last}".strip(),
            label,
            received,
            (now - received).days,
            urgency == "urgente",
        )
        for rid, bid, first, last, label, received, urgency in rows
    ]
    found.sort(key=lambda r: (not r.urgent, r.received_at))
    return found


@dataclass(frozen=True)
class QuietBeneficiary:
    id: str
    full_name: str
    phone: str  # E.164
    last_contact: dt.datetime | None  # registration, call, request (UTC) or visit (local)
    days_silent: int


def _silence(days: int, now: dt.datetime | None) -> tuple[Any, Any, Any, dt.datetime]:
    """What "no contact for `days` days" needs: the tables joined, the condition, the
    latest contact as an SQL expression, and the local now.

    The latest contact is SQLite's max() of the stored ISO texts of the registration,
    the last call, the last request (UTC) and the last visit (wall clock): one pass
    over requests and missions grouped by person, not one lookup per person. UTC and
    wall clock are at most two hours apart, which never matters for a count of days.
    """
    now_utc = now or utcnow()
    now_local = utc_to_local(now_utc) if now is not None else local_now()
    assert now_local is not None
    last_request = (
        select(
            Request.beneficiary_id.label("bid"),
            func.max(type_coerce(Request.received_at, String)).label("at"),
        )
        .where(Request.deleted_at.is_(None))
        .group_by(Request.beneficiary_id)
        .cte("last_request")
    )
    last_visit = (
        select(
            Mission.beneficiary_id.label("bid"),
            func.max(type_coerce(Mission.starts_at, String)).label("at"),
        )
        .where(Mission.status.in_(DONE), Mission.deleted_at.is_(None))
        .group_by(Mission.beneficiary_id)
        .cte("last_visit")
    )
    created = type_coerce(Beneficiary.created_at, String)
    latest = func.max(
        created,
        func.coalesce(type_coerce(Beneficiary.last_contact_at, String), created),
        func.coalesce(last_request.c.at, created),
        func.coalesce(last_visit.c.at, created),
    )
    joined = Beneficiary.__table__.outerjoin(
        last_request, last_request.c.bid == Beneficiary.id
    ).outerjoin(last_visit, last_visit.c.bid == Beneficiary.id)
    limit = now_utc - dt.timedelta(days=days)
    conditions = and_(
        Beneficiary.status == "actif",
        Beneficiary.deleted_at.is_(None),
        latest < limit.strftime("%Y-%m-%d %H:%M:%S.%f"),
    )
    return joined, conditions, latest, now_local


def beneficiaries_without_contact(
    registry: Registry, days: int = 30, *, limit: int = 500, now: dt.datetime | None = None
) -> list[QuietBeneficiary]:
    """Active beneficiaries with no contact for more than `days` days, the longest
    silent first (at most `limit`; `count_without_contact` gives how many in all)."""
    joined, conditions, latest, now_local = _silence(days, now)
    query = (
        select(
            Beneficiary.id,
            Beneficiary.first_name,
            Beneficiary.last_name,
            Beneficiary.phone,
            latest.label("latest"),
        )
        .select_from(joined)
        .where(conditions)
        .order_by(latest, Beneficiary.last_name, Beneficiary.first_name)
        .limit(limit)
    )
    with registry.engine.connect() as conn:
        rows = conn.execute(query).all()
    found: list[QuietBeneficiary] = []
    for bid, first, last, phone, latest_text in rows:
        contact = dt.datetime.fromisoformat(latest_text) if latest_text else None
        silent = (now_local - contact).days if contact else days
        found.append(QuietBeneficiary(bid, f"{first} {last}".strip(), phone, contact, silent))
    return found


def count_without_contact(
    registry: Registry, days: int = 30, *, now: dt.datetime | None = None
) -> int:
    """How many active beneficiaries had no contact for more than `days` days."""
    joined, conditions, _latest, _now = _silence(days, now)
    with registry.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(joined).where(conditions)) or 0)


@dataclass(frozen=True)
class Concern:
    mission_id: str
    day: dt.date
    beneficiary_id: str
    beneficiary: str
    volunteer: str
    mission_type: str
    outcome_note: str
    status: str


def unhandled_concerns(registry: Registry) -> list[Concern]:
    """Visits flagged "concern" that nobody has handled yet, oldest first."""
    query = (
        select(
            Mission.id,
            Mission.starts_at,
            Mission.beneficiary_id,
            Beneficiary.first_name,
            Beneficiary.last_name,
            Volunteer.first_name,
            Volunteer.last_name,
            MissionType.label,
            Mission.outcome_note,
            Mission.status,
        )
        .join(Beneficiary, Beneficiary.id == Mission.beneficiary_id)
        .join(MissionType, MissionType.id == Mission.mission_type_id)
        .outerjoin(Volunteer, Volunteer.id == Mission.volunteer_id)
        .where(
            # Written as the partial index ix_mission_open_concern says it, so SQLite uses it.
            Mission.concern == true(),
            Mission.concern_handled_at.is_(None),
            Mission.deleted_at.is_(None),
        )
        .order_by(Mission.starts_at)
    )
    with registry.engine.connect() as conn:
        return [
            Concern(
                mid,
                start.date(),
                bid,
                f"{b_first} {b_last}".strip(),
                f"{v_first or ''} {v_last or ''}".strip(),
                label,
                note,
                status,
            )
            for mid, start, bid, b_first, b_last, v_first, v_last, label, note, status in (
                conn.execute(query)
            )
        ]


def handle_concern(registry: Registry, mission_id: str, note: str = "") -> None:
    """Mark a concern as handled by the acting staff member (who and when are kept);
    `note` says what was done and is added to the visit's notes."""
    error = validation.notes(note, "Les notes de suivi")
    if error:
        raise ValidationError.single("note", error)
    with registry.change() as changes:
        mission = changes.session.get(Mission, mission_id)
        if mission is None or mission.deleted_at is not None:
            raise NotFoundError("Cette intervention n'existe plus.")
        if not mission.concern:
            raise ValidationError.single("concern", "Cette intervention ne signale rien.")
        if mission.concern_handled_at is not None:
            return
        now = utcnow()
        values: dict[str, object] = {
            "concern_handled_at": now,
            "concern_handled_by": changes.actor.display_name,
        }
        if note.strip():
            local = utc_to_local(now)
            assert local is not None
            line = f"Suivi du {short_date(local.date())} ({changes.actor.display_name}) : "
            values["notes"] = (mission.notes + "\n" if mission.notes else "") + line + note.strip()
        changes.update(mission, values, "Signalement traité", action="concern")


@dataclass(frozen=True)
class MatchStats:
    """Requests received between two days (both included), cancelled ones apart."""

    received: int
    cancelled_unmatched: int  # cancelled before anyone was found: not counted below
    matched: int
    waiting: int
    mean_days_to_match: float | None
    median_days_to_match: float | None

    @property
    def match_rate(self) -> float | None:
        """Matched share of the requests that still wanted somebody (0..1)."""
        wanted = self.received - self.cancelled_unmatched
        return self.matched / wanted if wanted else None


_MATCH_DELAYS = """
SELECT julianday(matched_at) - julianday(received_at), status FROM request
WHERE received_at >= ? AND received_at < ? AND deleted_at IS NULL
"""


def match_stats(registry: Registry, start: dt.date, end: dt.date) -> MatchStats:
    """Match rate and time to match (received → first volunteer found, in days) of the
    requests received from `start` to `end` (Paris days)."""
    from_utc = _local_midnight_utc(start)
    to_utc = _local_midnight_utc(end + dt.timedelta(days=1))
    # The delay in days computed by SQLite (julianday), read as plain tuples: a large
    # city's year of requests (~45,000) in a few tens of ms (the dashboard reads this).
    bounds = tuple(moment.strftime("%Y-%m-%d %H:%M:%S.%f") for moment in (from_utc, to_utc))
    with registry.raw() as conn:
        rows = conn.execute(_MATCH_DELAYS, bounds).fetchall()
    delays = [days for days, _status in rows if days is not None]
    cancelled = sum(1 for days, status in rows if days is None and status == "annulee")
    waiting = sum(1 for days, status in rows if days is None and status in WAITING)
    return MatchStats(
        received=len(rows),
        cancelled_unmatched=cancelled,
        matched=len(delays),
        waiting=waiting,
        mean_days_to_match=round(statistics.fmean(delays), 1) if delays else None,
        median_days_to_match=round(statistics.median(delays), 1) if delays else None,
    )


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    """Midnight in Paris on `day`, as the naive UTC the registry stores."""
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS).astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FollowUpCounts:
    unmatched: int
    silent: int
    concerns: int


def followup_counts(
    registry: Registry, unmatched_days: int = 7, silent_days: int = 30
) -> FollowUpCounts:
    """The three numbers of the coordinator's at-a-glance panel."""
    return FollowUpCounts(
        len(unmatched_requests(registry, unmatched_days)),
        count_without_contact(registry, silent_days),
        len(unhandled_concerns(registry)),
    )
