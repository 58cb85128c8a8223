"""The life of one visit: done (with its report and the volunteer's hours), person
absent, validated, cancelled; and the request's status once no planned visit is left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import (
    StatusTransitionError,
    ValidationError,
)
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import (
    HoursEntry,
    Mission,
)
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.missions_common import (
    MAX_DURATION_MIN,
    cancel_planned,
    get_mission,
    get_request,
    move_mission,
)
from bippop_desk.registry.services.requests import move_request
from bippop_desk.registry.store import Registry


def _settle_request(changes: ChangeSet, request_id: str | None) -> None:
    """Once a request has no planned visit left, say where it stands: done when a visit
    took place and nothing more is to come, searching again when none took place."""
    if request_id is None:
        return
    request = get_request(changes, request_id)
    if request.status != "planifiee":
        return
    session = changes.session
    counts = dict(
        session.execute(
            select(Mission.status, func.count())
            .where(Mission.request_id == request.id, Mission.deleted_at.is_(None))
            .group_by(Mission.status)
        ).all()
    )
    if counts.get("planifiee"):
        return
    open_ended = (
        request.recurrence != "aucune"
        and request.recurrence_count is None
        and request.recurrence_until is None
        and request.recurrence_stopped_on is None
    )
    if open_ended:
        return  # the series goes on: extend_recurrence plans the next weeks
    if counts.get("realisee") or counts.get("validee"):
        move_request(changes, request, "realisee", "Demande réalisée")
    else:
        move_request(changes, request, "en_recherche", "Demande à nouveau en recherche")


@dataclass(frozen=True)
class VisitReport:
    """What the volunteer reports after a visit. Without a duration, the planned one."""

    actual_duration_min: int | None = None
    mileage_km: Decimal | str | None = None
    outcome_note: str = ""
    concern: bool = False


def _check_reason(reason: str) -> None:
    message = validation.text(reason, validation.MAX_TEXT)
    if message:
        raise ValidationError.single("cancel_reason", message)


def _clean_report(report: VisitReport, planned: int) -> tuple[int, Decimal]:
    errors: dict[str, str] = validation.text_fields(report, Mission)
    minutes = report.actual_duration_min if report.actual_duration_min is not None else planned
    if not 1 <= minutes <= MAX_DURATION_MIN:
        errors["actual_duration_min"] = "La durée va de 1 minute à 12 heures."
    mileage, mileage_error = validation.mileage(report.mileage_km)
    if mileage_error:
        errors["mileage_km"] = mileage_error
    note_error = validation.notes(report.outcome_note, "Les notes de compte rendu")
    if note_error:
        errors["outcome_note"] = note_error
    if errors:
        raise ValidationError(errors)
    return minutes, mileage


def mark_done(
    registry: Registry, mission_id: str, report: VisitReport, *, today: dt.date | None = None
) -> str:
    """Record a visit as done, with its report, and append the volunteer's hours.

    Returns the id of the new hours entry. The mission, the entry, the request's new
    status (a one-off request is then done) and their journal go in one transaction.
    A visit planned after today cannot be done yet (StatusTransitionError).
    """
    with registry.change() as changes:
        return done_in(changes, mission_id, report, today or local_today())


def done_in(changes: ChangeSet, mission_id: str, report: VisitReport, today: dt.date) -> str:
    """mark_done's work inside the caller's ChangeSet (hours declared online reuse it)."""
    mission = get_mission(changes, mission_id)
    if mission.status == "planifiee" and mission.starts_at.date() > today:
        raise StatusTransitionError(
            f"Cette intervention est prévue le {short_date(mission.starts_at.date())} : "
            "elle ne peut pas encore être réalisée."
        )
    if mission.volunteer_id is None:
        raise StatusTransitionError("Cette intervention n'a pas de bénévole.")
    planned = int((mission.ends_at - mission.starts_at).total_seconds() // 60)
    minutes, mileage = _clean_report(report, planned)
    move_mission(
        changes,
        mission,
        "realisee",
        f"Intervention du {short_date(mission.starts_at.date())} réalisée",
        actual_duration_min=minutes,
        mileage_km=mileage,
        outcome_note=report.outcome_note.strip(),
        concern=report.concern,
    )
    entry = HoursEntry(
        commune_id=mission.commune_id,
        volunteer_id=mission.volunteer_id,
        mission_id=mission.id,
        mission_type_id=mission.mission_type_id,
        entry_date=mission.starts_at.date(),
        minutes=minutes,
        mileage_km=mileage,
        kind="mission",
        created_by=changes.actor.display_name,
        created_at=utcnow(),
    )
    changes.append(entry, f"{minutes} min de bénévolat (intervention réalisée)")
    _settle_request(changes, mission.request_id)
    return entry.id


def mark_no_show(
    registry: Registry, mission_id: str, note: str = "", *, concern: bool = False
) -> None:
    """The person was not there ("personne absente"); `concern` flags it for the
    coordinator (an isolated person who does not open the door may need a call)."""
    with registry.change() as changes:
        mission = get_mission(changes, mission_id)
        move_mission(
            changes,
            mission,
            "absent",
            f"Personne absente le {short_date(mission.starts_at.date())}",
            outcome_note=note.strip(),
            concern=concern,
        )
        _settle_request(changes, mission.request_id)


def validate_missions(registry: Registry, mission_ids: Sequence[str]) -> int:
    """The coordinator checks done visits (réalisée → validée); returns how many moved."""
    require(registry, "coordination")  # refusal journaled
    with registry.change() as changes:
        for mission_id in mission_ids:
            mission = get_mission(changes, mission_id)
            move_mission(changes, mission, "validee", "Intervention validée")
        return len(mission_ids)


def cancel_mission(registry: Registry, mission_id: str, reason: str) -> None:
    """Cancel one planned visit (e.g. one week of a series). A one-off request whose
    only visit is cancelled goes back to "en recherche"."""
    if not reason.strip():
        raise ValidationError.single("cancel_reason", "Indiquez pourquoi la visite est annulée.")
    _check_reason(reason)
    with registry.change() as changes:
        mission = get_mission(changes, mission_id)
        move_mission(
            changes,
            mission,
            "annulee",
            f"Intervention du {short_date(mission.starts_at.date())} annulée",
            cancel_reason=reason.strip(),
        )
        _settle_request(changes, mission.request_id)


def cancel_request_and_missions(registry: Registry, request_id: str, reason: str) -> int:
    """Cancel a request and all its planned visits; returns how many visits."""
    if not reason.strip():
        raise ValidationError.single("cancel_reason", "Indiquez pourquoi la demande est annulée.")
    _check_reason(reason)
    with registry.change() as changes:
        request = get_request(changes, request_id)
        cancelled = cancel_planned(changes, request.id, None, reason.strip())
        move_request(changes, request, "annulee", "Demande annulée", cancel_reason=reason.strip())
        return cancelled
