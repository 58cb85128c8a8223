"""Series (regular requests): stopping one from a day on, and planning the next weeks
of open-ended ones with their current volunteer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import (
    StatusTransitionError,
    ValidationError,
)
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import (
    Commune,
    Mission,
    Request,
    Volunteer,
)
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.missions_common import (
    DONE,
    cancel_planned,
    get_request,
    new_mission,
)
from bippop_desk.registry.services.recurrence import (
    HORIZON_WEEKS,
    Pattern,
    SkippedDay,
    occurrences,
)
from bippop_desk.registry.services.requests import move_request
from bippop_desk.registry.services.scheduling import check_week
from bippop_desk.registry.store import Registry


def stop_recurrence(
    registry: Registry, request_id: str, stopped_on: dt.date, reason: str = ""
) -> int:
    """Stop a series from `stopped_on` (that day's visit included): its planned visits
    from then on are cancelled; the request is done if a visit took place, else
    cancelled. Returns how many visits were cancelled."""
    with registry.change() as changes:
        request = get_request(changes, request_id)
        if request.recurrence == "aucune":
            raise ValidationError.single("recurrence", "Cette demande n'est pas régulière.")
        if request.status in ("realisee", "annulee"):
            raise StatusTransitionError("Cette demande est déjà terminée.")
        message = validation.text(reason, validation.MAX_TEXT)
        if message:
            raise ValidationError.single("cancel_reason", message)
        why = reason.strip() or "Arrêt de la demande régulière"
        changes.update(
            request,
            {"recurrence_stopped_on": stopped_on},
            f"Demande régulière arrêtée le {short_date(stopped_on)}",
        )
        cancelled = cancel_planned(changes, request.id, stopped_on, why)
        if request.status == "planifiee":
            done = changes.session.scalar(
                select(func.count()).where(
                    Mission.request_id == request.id,
                    Mission.status.in_(DONE),
                    Mission.deleted_at.is_(None),
                )
            )
            remaining = changes.session.scalar(
                select(func.count()).where(
                    Mission.request_id == request.id,
                    Mission.status == "planifiee",
                    Mission.deleted_at.is_(None),
                )
            )
            if not remaining:
                if done:
                    move_request(changes, request, "realisee", "Demande régulière terminée")
                else:
                    move_request(changes, request, "annulee", "Demande arrêtée", cancel_reason=why)
        else:
            move_request(changes, request, "annulee", "Demande arrêtée", cancel_reason=why)
        return cancelled


@dataclass(frozen=True)
class Extension:
    mission_ids: tuple[str, ...]
    skipped: tuple[SkippedDay, ...]
    left_out: tuple[str, ...]  # visits not planned, with why (French sentences)


def extend_recurrence(
    registry: Registry, request_id: str, *, today: dt.date | None = None
) -> Extension:
    """Plan the next weeks of an open-ended series with its current volunteer, up to
    12 weeks ahead. A visit that would clash, fall on an absence or outside the slots
    is left out and reported rather than forced."""
    today = today or local_today()
    with registry.change() as changes:
        request = get_request(changes, request_id)
        if request.status != "planifiee" or request.recurrence == "aucune":
            return Extension((), (), ())
        last = changes.session.execute(
            select(Mission.volunteer_id, Mission.starts_at, Mission.ends_at)
            .where(
                Mission.request_id == request.id,
                Mission.status != "annulee",
                Mission.deleted_at.is_(None),
            )
            .order_by(Mission.starts_at.desc())
            .limit(1)
        ).first()
        if last is None or last.volunteer_id is None:
            return Extension((), (), ())
        volunteer = changes.session.get(Volunteer, last.volunteer_id)
        if volunteer is None or volunteer.status != "valide":
            return Extension((), (), ("Le bénévole de cette série n'est plus disponible.",))
        # The series goes on from its last visit (its first may have been moved).
        commune = changes.session.get(Commune, request.commune_id)
        schedule = occurrences(
            Pattern(last.starts_at, last.ends_at - last.starts_at, request.recurrence),
            from_day=max(today, last.starts_at.date() + dt.timedelta(days=1)),
            horizon=today + dt.timedelta(weeks=HORIZON_WEEKS),
            departement=commune.departement if commune else "",
        )
        created: list[str] = []
        left_out: list[str] = []
        for visit in schedule.occurrences:
            problems = check_week(changes.session, volunteer, [visit], ignore_request=None)
            if problems.refused or problems.overridable:
                left_out += problems.refused + problems.sentences()
                continue
            created.append(new_mission(changes, request, volunteer, visit, "").id)
        return Extension(tuple(created), schedule.skipped, tuple(left_out))


def extend_all_recurrences(registry: Registry, *, today: dt.date | None = None) -> int:
    """Roll every running open-ended series forward (run at start-up, on the DB worker).
    Returns how many missions were planned."""
    with registry.engine.connect() as conn:
        ids = list(
            conn.scalars(
                select(Request.id).where(
                    Request.status == "planifiee",
                    Request.recurrence != "aucune",
                    Request.recurrence_count.is_(None),
                    Request.recurrence_until.is_(None),
                    Request.recurrence_stopped_on.is_(None),
                    Request.deleted_at.is_(None),
                )
            )
        )
    return sum(len(extend_recurrence(registry, rid, today=today).mission_ids) for rid in ids)
