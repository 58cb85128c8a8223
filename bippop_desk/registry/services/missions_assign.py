"""Assigning: confide a request (one visit or a series) to a validated volunteer, or
give one planned visit to another. The scheduling rules (double booking refused;
outside slots, absent or past the weekly maximum only with a written reason) are
checked before anything is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import (
    NotFoundError,
    SchedulingError,
    StatusTransitionError,
    ValidationError,
)
from bippop_desk.registry.models import (
    Commune,
    MissionType,
    Request,
    Volunteer,
)
from bippop_desk.registry.services.missions_common import (
    MAX_DURATION_MIN,
    get_mission,
    get_request,
    new_mission,
)
from bippop_desk.registry.services.recurrence import (
    Occurrence,
    Pattern,
    Schedule,
    SkippedDay,
    first_start_of,
    occurrences,
    wished_duration,
)
from bippop_desk.registry.services.requests import move_request
from bippop_desk.registry.services.scheduling import check_week, enforce, visit_when
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class Assignment:
    """What an assignment planned: the missions, the holidays left out, and the
    problems that were overridden (French sentences, empty when none)."""

    request_id: str
    volunteer_id: str
    mission_ids: tuple[str, ...]
    skipped: tuple[SkippedDay, ...]
    overridden: tuple[str, ...]
    continues_after: dt.date | None  # an open-ended series is planned up to here


def _assignable(changes: ChangeSet, volunteer_id: str) -> Volunteer:
    volunteer = changes.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.deleted_at is not None:
        raise NotFoundError("Ce bénévole n'existe plus dans le registre.")
    if volunteer.status != "valide":
        raise SchedulingError(
            f"{volunteer.full_name} n'est pas un·e bénévole validé·e : seuls les bénévoles "
            "validés peuvent recevoir une intervention.",
            overridable=False,
        )
    return volunteer


def _schedule(
    changes: ChangeSet,
    request: Request,
    starts_at: dt.datetime | None,
    duration_min: int | None,
    today: dt.date,
    *,
    skip_holidays: bool = True,
) -> Schedule:
    """The request's visits to plan from `today` on."""
    mission_type = changes.session.get(MissionType, request.mission_type_id)
    assert mission_type is not None
    first = starts_at or first_start_of(request.wished_date, request.wished_time_from)
    if first is None:
        raise ValidationError.single(
            "starts_at", "Choisissez le jour et l'heure de la première intervention."
        )
    if duration_min is not None and not 5 <= duration_min <= MAX_DURATION_MIN:
        raise ValidationError.single("duration_min", "La durée va de 5 minutes à 12 heures.")
    if request.recurrence == "aucune" and first.date() < today:
        raise ValidationError.single("starts_at", "Cette date est déjà passée.")
    duration = (
        dt.timedelta(minutes=duration_min)
        if duration_min
        else wished_duration(
            request.wished_time_from, request.wished_time_to, mission_type.default_duration_min
        )
    )
    commune = changes.session.get(Commune, request.commune_id)
    pattern = Pattern(
        first,
        duration,
        request.recurrence,
        request.recurrence_count,
        request.recurrence_until,
        request.recurrence_stopped_on,
    )
    return occurrences(
        pattern,
        from_day=today if pattern.recurring else None,
        skip_holidays=skip_holidays,
        departement=commune.departement if commune else "",
    )


# -- assigning ------------------------------------------------------------------------
def assign_volunteer(
    registry: Registry,
    request_id: str,
    volunteer_id: str,
    *,
    starts_at: dt.datetime | None = None,
    duration_min: int | None = None,
    override_reason: str = "",
    skip_holidays: bool = True,
    today: dt.date | None = None,
) -> Assignment:
    """Confide a new or searching request to a validated volunteer.

    Creates one mission per visit (the request's wished day and time unless
    `starts_at` says otherwise; a series from `today` on, holidays skipped and
    reported, an open-ended one up to 12 weeks ahead) and moves the request to
    "planifiée", all in one transaction. Raises SchedulingError: not overridable for
    a double booking or a volunteer who is not validated; overridable (retry with
    `override_reason`) outside availability, on an absence or past the weekly maximum.
    """
    today = today or local_today()
    with registry.change() as changes:
        request = get_request(changes, request_id)
        if request.status not in ("nouvelle", "en_recherche"):
            raise StatusTransitionError(
                "Cette demande a déjà un bénévole ou est terminée : réaffectez plutôt "
                "ses interventions une à une."
            )
        volunteer = _assignable(changes, volunteer_id)
        schedule = _schedule(
            changes, request, starts_at, duration_min, today, skip_holidays=skip_holidays
        )
        if not schedule.occurrences:
            raise ValidationError.single(
                "starts_at", "Aucune séance à planifier : la série est terminée ou arrêtée."
            )
        problems = check_week(
            changes.session, volunteer, schedule.occurrences, ignore_request=request.id
        )
        enforce(problems, volunteer, override_reason)
        reason = override_reason.strip()
        ids = tuple(
            new_mission(
                changes,
                request,
                volunteer,
                visit,
                reason if visit.index in problems.overridable else "",
            ).id
            for visit in schedule.occurrences
        )
        move_request(changes, request, "planifiee", f"Demande confiée à {volunteer.full_name}")
        return Assignment(
            request.id,
            volunteer.id,
            ids,
            schedule.skipped,
            tuple(problems.sentences()) if reason else (),
            schedule.continues_after,
        )


def reassign_mission(
    registry: Registry, mission_id: str, volunteer_id: str, *, override_reason: str = ""
) -> None:
    """Give one planned visit to another validated volunteer (same checks as assigning)."""
    with registry.change() as changes:
        mission = get_mission(changes, mission_id)
        if mission.status != "planifiee":
            raise StatusTransitionError(
                "Seule une intervention planifiée peut changer de bénévole."
            )
        if mission.volunteer_id == volunteer_id:
            return
        volunteer = _assignable(changes, volunteer_id)
        visit = Occurrence(0, mission.starts_at, mission.ends_at)
        problems = check_week(changes.session, volunteer, [visit], ignore_missions=[mission.id])
        enforce(problems, volunteer, override_reason)
        changes.update(
            mission,
            {
                "volunteer_id": volunteer.id,
                "override_reason": override_reason.strip() if problems.overridable else "",
            },
            f"Intervention du {visit_when(visit)} confiée à {volunteer.full_name}",
            action="assign",
        )
