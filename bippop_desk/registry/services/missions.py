"""Missions (interventions): assigning a volunteer to a request, then each visit's life.

Statuses move forward only: planifiée → réalisée → validée, or planifiée → annulée /
personne absente. Assigning checks the volunteer's week before writing anything:
- a double booking (an overlapping mission not cancelled) is refused outright;
- outside their weekly slots, on an absence, or past their weekly maximum, the
  assignment needs a written reason, kept in `Mission.override_reason`.
Each call is one transaction (ChangeSet): the missions, the request's new status,
the hours of a done visit, their audit events and outbox entries, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import (
    NotFoundError,
    SchedulingError,
    StatusTransitionError,
    ValidationError,
)
from bippop_desk.registry.frdates import short_date, short_time
from bippop_desk.registry.models import (
    Commune,
    HoursEntry,
    Mission,
    MissionType,
    Request,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
)
from bippop_desk.registry.models.missions import MISSION_STATUSES
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.availability import (
    Absence,
    WeeklySlot,
    absence_on,
    week_bounds,
    within_slots,
)
from bippop_desk.registry.services.recurrence import (
    HORIZON_WEEKS,
    Occurrence,
    Pattern,
    Schedule,
    SkippedDay,
    first_start_of,
    occurrences,
    wished_duration,
)
from bippop_desk.registry.services.requests import move_request
from bippop_desk.registry.store import Registry

MISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    "planifiee": frozenset({"realisee", "annulee", "absent"}),
    "realisee": frozenset({"validee"}),
    "validee": frozenset(),
    "annulee": frozenset(),
    "absent": frozenset(),
}
DONE = ("realisee", "validee")
MAX_DURATION_MIN = 12 * 60
MAX_MILEAGE_KM = Decimal("2000")


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


# -- checking a volunteer's week ------------------------------------------------------
@dataclass
class _Problems:
    refused: list[str]  # double bookings: never allowed
    overridable: dict[int, list[str]]  # visit index → reasons needing an override

    def sentences(self) -> list[str]:
        return [text for texts in self.overridable.values() for text in texts]


def _when(visit: Occurrence) -> str:
    return f"{short_date(visit.day)} {short_time(visit.start)}–{short_time(visit.end)}"


def _check_week(
    session: Session,
    volunteer: Volunteer,
    visits: Sequence[Occurrence],
    *,
    ignore_missions: Iterable[str] = (),
    ignore_request: str | None = None,
) -> _Problems:
    """Everything that stands in the way of `volunteer` doing `visits`."""
    problems = _Problems([], {})
    if not visits:
        return problems
    ignored = set(ignore_missions)
    first = dt.datetime.combine(week_bounds(visits[0].day)[0], dt.time())
    last = dt.datetime.combine(week_bounds(visits[-1].day)[1], dt.time())
    others = [
        m
        for m in session.execute(
            select(Mission.id, Mission.request_id, Mission.starts_at, Mission.ends_at).where(
                Mission.volunteer_id == volunteer.id,
                Mission.starts_at >= first - dt.timedelta(days=1),
                Mission.starts_at < last,
                Mission.status != "annulee",
                Mission.deleted_at.is_(None),
            )
        ).all()
        if m.id not in ignored and (ignore_request is None or m.request_id != ignore_request)
    ]
    slots = [
        WeeklySlot(*row)
        for row in session.execute(
            select(
                VolunteerAvailability.weekday,
                VolunteerAvailability.start_time,
                VolunteerAvailability.end_time,
            ).where(
                VolunteerAvailability.volunteer_id == volunteer.id,
                VolunteerAvailability.deleted_at.is_(None),
            )
        )
    ]
    absences = [
        Absence(*row)
        for row in session.execute(
            select(
                VolunteerAbsence.start_date, VolunteerAbsence.end_date, VolunteerAbsence.reason
            ).where(
                VolunteerAbsence.volunteer_id == volunteer.id,
                VolunteerAbsence.deleted_at.is_(None),
                VolunteerAbsence.end_date >= visits[0].day,
                VolunteerAbsence.start_date <= visits[-1].end.date(),
            )
        )
    ]
    per_week: dict[dt.date, int] = {}
    for other in others:
        monday = week_bounds(other.starts_at.date())[0]
        per_week[monday] = per_week.get(monday, 0) + 1
    name = volunteer.full_name
    for visit in visits:
        reasons: list[str] = []
        for other in others:
            if other.starts_at < visit.end and visit.start < other.ends_at:
                problems.refused.append(
                    f"{name} a déjà une intervention le {short_date(other.starts_at.date())} "
                    f"de {short_time(other.starts_at)} à {short_time(other.ends_at)}."
                )
                break
        if not within_slots(visit.start, visit.end, slots):
            reasons.append(f"le {_when(visit)} est en dehors des disponibilités de {name}")
        absence = absence_on(visit.start, visit.end, absences)
        if absence is not None:
            reasons.append(f"{name} est {absence.text()} (séance du {short_date(visit.day)})")
        monday = week_bounds(visit.day)[0]
        per_week[monday] = per_week.get(monday, 0) + 1
        if per_week[monday] > volunteer.max_missions_per_week:
            reasons.append(
                f"{name} aurait {per_week[monday]} interventions la semaine du "
                f"{short_date(monday)} (maximum {volunteer.max_missions_per_week})"
            )
        if reasons:
            problems.overridable[visit.index] = reasons
    return problems


def _enforce(problems: _Problems, volunteer: Volunteer, override_reason: str) -> None:
    """Refuse double bookings; ask for a reason for the rest (SchedulingError)."""
    if problems.refused:
        raise SchedulingError(
            f"Impossible de confier cette intervention à {volunteer.full_name} :\n– "
            + "\n– ".join(dict.fromkeys(problems.refused)),
            overridable=False,
        )
    if problems.overridable and not override_reason.strip():
        raise SchedulingError(
            "À vérifier avant de confirmer :\n– "
            + ";\n– ".join(problems.sentences())
            + ".\nPour confirmer quand même, indiquez la raison.",
            overridable=True,
        )


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


def _request(changes: ChangeSet, request_id: str) -> Request:
    request = changes.session.get(Request, request_id)
    if request is None or request.deleted_at is not None:
        raise NotFoundError("Cette demande n'existe plus.")
    return request


def _mission(changes: ChangeSet, mission_id: str) -> Mission:
    mission = changes.session.get(Mission, mission_id)
    if mission is None or mission.deleted_at is not None:
        raise NotFoundError("Cette intervention n'existe plus.")
    return mission


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


def _new_mission(
    changes: ChangeSet, request: Request, volunteer: Volunteer, visit: Occurrence, override: str
) -> Mission:
    mission = Mission(
        commune_id=request.commune_id,
        request_id=request.id,
        beneficiary_id=request.beneficiary_id,
        mission_type_id=request.mission_type_id,
        volunteer_id=volunteer.id,
        starts_at=visit.start,
        ends_at=visit.end,
        status="planifiee",
        status_changed_at=utcnow(),
        override_reason=override,
    )
    changes.create(mission, f"Intervention du {_when(visit)} confiée à {volunteer.full_name}")
    return mission


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
        request = _request(changes, request_id)
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
        problems = _check_week(
            changes.session, volunteer, schedule.occurrences, ignore_request=request.id
        )
        _enforce(problems, volunteer, override_reason)
        reason = override_reason.strip()
        ids = tuple(
            _new_mission(
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
        mission = _mission(changes, mission_id)
        if mission.status != "planifiee":
            raise StatusTransitionError(
                "Seule une intervention planifiée peut changer de bénévole."
            )
        if mission.volunteer_id == volunteer_id:
            return
        volunteer = _assignable(changes, volunteer_id)
        visit = Occurrence(0, mission.starts_at, mission.ends_at)
        problems = _check_week(changes.session, volunteer, [visit], ignore_missions=[mission.id])
        _enforce(problems, volunteer, override_reason)
        changes.update(
            mission,
            {
                "volunteer_id": volunteer.id,
                "override_reason": override_reason.strip() if problems.overridable else "",
            },
            f"Intervention du {_when(visit)} confiée à {volunteer.full_name}",
            action="assign",
        )


# -- the life of a visit -------------------------------------------------------------
def _move(
    changes: ChangeSet, mission: Mission, status: str, summary: str, **values: object
) -> None:
    if status not in MISSION_TRANSITIONS.get(mission.status, frozenset()):
        raise StatusTransitionError(
            f"Une intervention « {MISSION_STATUSES.get(mission.status, mission.status)} » ne "
            f"peut pas passer à « {MISSION_STATUSES.get(status, status)} »."
        )
    changes.update(
        mission,
        {"status": status, "status_changed_at": utcnow(), **values},
        summary,
        action="status",
    )


def _settle_request(changes: ChangeSet, request_id: str | None) -> None:
    """Once a request has no planned visit left, say where it stands: done when a visit
    took place and nothing more is to come, searching again when none took place."""
    if request_id is None:
        return
    request = _request(changes, request_id)
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


def _clean_report(report: VisitReport, planned: int) -> tuple[int, Decimal]:
    errors: dict[str, str] = {}
    minutes = report.actual_duration_min if report.actual_duration_min is not None else planned
    if not 1 <= minutes <= MAX_DURATION_MIN:
        errors["actual_duration_min"] = "La durée va de 1 minute à 12 heures."
    try:
        mileage = Decimal(str(report.mileage_km or 0).replace(",", ".")).quantize(Decimal("0.1"))
    except InvalidOperation:
        errors["mileage_km"] = "Le kilométrage est un nombre (exemple : 12,5)."
        mileage = Decimal(0)
    else:
        if not Decimal(0) <= mileage <= MAX_MILEAGE_KM:
            errors["mileage_km"] = "Le kilométrage va de 0 à 2 000 km."
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
    today = today or local_today()
    with registry.change() as changes:
        mission = _mission(changes, mission_id)
        if mission.status == "planifiee" and mission.starts_at.date() > today:
            raise StatusTransitionError(
                f"Cette intervention est prévue le {short_date(mission.starts_at.date())} : "
                "elle ne peut pas encore être réalisée."
            )
        if mission.volunteer_id is None:
            raise StatusTransitionError("Cette intervention n'a pas de bénévole.")
        planned = int((mission.ends_at - mission.starts_at).total_seconds() // 60)
        minutes, mileage = _clean_report(report, planned)
        _move(
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
        mission = _mission(changes, mission_id)
        _move(
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
    with registry.change() as changes:
        changes.actor.require("coordinateur", "administrateur", action="valider des interventions")
        for mission_id in mission_ids:
            mission = _mission(changes, mission_id)
            _move(changes, mission, "validee", "Intervention validée")
        return len(mission_ids)


def cancel_mission(registry: Registry, mission_id: str, reason: str) -> None:
    """Cancel one planned visit (e.g. one week of a series). A one-off request whose
    only visit is cancelled goes back to "en recherche"."""
    if not reason.strip():
        raise ValidationError.single("cancel_reason", "Indiquez pourquoi la visite est annulée.")
    with registry.change() as changes:
        mission = _mission(changes, mission_id)
        _move(
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
    with registry.change() as changes:
        request = _request(changes, request_id)
        cancelled = _cancel_planned(changes, request.id, None, reason.strip())
        move_request(changes, request, "annulee", "Demande annulée", cancel_reason=reason.strip())
        return cancelled


def _cancel_planned(
    changes: ChangeSet, request_id: str, from_day: dt.date | None, reason: str
) -> int:
    query = select(Mission).where(
        Mission.request_id == request_id,
        Mission.status == "planifiee",
        Mission.deleted_at.is_(None),
    )
    if from_day is not None:
        query = query.where(Mission.starts_at >= dt.datetime.combine(from_day, dt.time()))
    planned = changes.session.scalars(query.order_by(Mission.starts_at)).all()
    for mission in planned:
        _move(
            changes,
            mission,
            "annulee",
            f"Intervention du {short_date(mission.starts_at.date())} annulée",
            cancel_reason=reason,
        )
    return len(planned)


def stop_recurrence(
    registry: Registry, request_id: str, stopped_on: dt.date, reason: str = ""
) -> int:
    """Stop a series from `stopped_on` (that day's visit included): its planned visits
    from then on are cancelled; the request is done if a visit took place, else
    cancelled. Returns how many visits were cancelled."""
    with registry.change() as changes:
        request = _request(changes, request_id)
        if request.recurrence == "aucune":
            raise ValidationError.single("recurrence", "Cette demande n'est pas régulière.")
        if request.status in ("realisee", "annulee"):
            raise StatusTransitionError("Cette demande est déjà terminée.")
        why = reason.strip() or "Arrêt de la demande régulière"
        changes.update(
            request,
            {"recurrence_stopped_on": stopped_on},
            f"Demande régulière arrêtée le {short_date(stopped_on)}",
        )
        cancelled = _cancel_planned(changes, request.id, stopped_on, why)
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
        request = _request(changes, request_id)
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
            problems = _check_week(changes.session, volunteer, [visit], ignore_request=None)
            if problems.refused or problems.overridable:
                left_out += problems.refused + problems.sentences()
                continue
            created.append(_new_mission(changes, request, volunteer, visit, "").id)
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
