"""Reading volunteers: one file, the lazy list's ids and rows, the full volunteer file
(offers, slots, absences, recent and coming missions, hours), and the loader the
volunteer services use inside a change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.models import (
    Beneficiary,
    HoursEntry,
    Mission,
    MissionType,
    Partner,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerOffer,
)
from bippop_desk.registry.models.missions import MISSION_STATUSES
from bippop_desk.registry.models.people import VOLUNTEER_STATUSES
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.scheduling import Absence, WeeklySlot
from bippop_desk.registry.store import Registry


def get_volunteer(registry: Registry, volunteer_id: str) -> Volunteer:
    with registry.session() as session:
        record = session.get(Volunteer, volunteer_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Ce bénévole n'existe plus dans le registre.")
        return record


def weekly_slots(registry: Registry, volunteer_id: str) -> list[WeeklySlot]:
    with registry.engine.connect() as conn:
        rows = conn.execute(
            select(
                VolunteerAvailability.weekday,
                VolunteerAvailability.start_time,
                VolunteerAvailability.end_time,
            )
            .where(
                VolunteerAvailability.volunteer_id == volunteer_id,
                VolunteerAvailability.deleted_at.is_(None),
            )
            .order_by(VolunteerAvailability.weekday, VolunteerAvailability.start_time)
        )
        return [WeeklySlot(*row) for row in rows]


def offered_type_ids(registry: Registry, volunteer_id: str) -> list[str]:
    with registry.engine.connect() as conn:
        return list(
            conn.scalars(
                select(VolunteerOffer.mission_type_id).where(
                    VolunteerOffer.volunteer_id == volunteer_id
                )
            )
        )


SORTS = {
    "name": (Volunteer.last_name, Volunteer.first_name),
    "quartier": (Volunteer.quartier, Volunteer.last_name, Volunteer.first_name),
    "status": (Volunteer.status, Volunteer.last_name, Volunteer.first_name),
    "created": (Volunteer.created_at,),
}

LIST_COLUMNS = (
    "Nom",
    "Prénom",
    "Téléphone",
    "Quartier",
    "Voiture",
    "Max / semaine",
    "Association",
    "Statut",
)


def volunteer_ids(
    registry: Registry, sort: str = "name", descending: bool = False, status: str | None = None
) -> list[str]:
    """Ids in display order: the lazy table holds these and asks for rows on demand."""
    columns = SORTS.get(sort, SORTS["name"])
    order = [c.desc() for c in columns] if descending else list(columns)
    query = select(Volunteer.id).where(Volunteer.deleted_at.is_(None))
    if status:
        query = query.where(Volunteer.status == status)
    with registry.engine.connect() as conn:
        return list(conn.scalars(query.order_by(*order)))


def volunteer_rows(registry: Registry, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """Display rows (LIST_COLUMNS) for these ids, one query of Core tuples."""
    if not ids:
        return {}
    query = (
        select(
            Volunteer.id,
            Volunteer.last_name,
            Volunteer.first_name,
            Volunteer.phone,
            Volunteer.quartier,
            Volunteer.has_car,
            Volunteer.max_missions_per_week,
            Partner.name,
            Volunteer.status,
        )
        .outerjoin(Partner, Partner.id == Volunteer.partner_id)
        .where(Volunteer.id.in_(ids))
    )
    rows: dict[str, tuple[str, ...]] = {}
    with registry.engine.connect() as conn:
        for vid, last, first, phone, quartier, car, most, partner, status in conn.execute(query):
            rows[vid] = (
                last,
                first,
                format_phone(phone),
                quartier,
                "oui" if car else "non",
                str(most),
                partner or "",
                VOLUNTEER_STATUSES.get(status, status),
            )
    return rows


@dataclass(frozen=True)
class AbsenceView:
    id: str
    start: dt.date
    end: dt.date
    reason: str

    def text(self) -> str:
        return Absence(self.start, self.end, self.reason).text()


@dataclass(frozen=True)
class MissionLine:
    """One mission on a volunteer's file; the beneficiary as "Hélène L."."""

    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    beneficiary: str
    mission_type: str
    status: str  # code; MISSION_STATUSES gives the label

    @property
    def status_label(self) -> str:
        return MISSION_STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class VolunteerFile:
    """Everything the volunteer's file page shows, read in one go."""

    volunteer: Volunteer
    status_label: str
    partner_name: str
    offers: tuple[tuple[str, str], ...]  # (mission type id, label)
    slots: tuple[WeeklySlot, ...]
    absences: tuple[AbsenceView, ...]  # current and future ones
    hours_total_minutes: int
    hours_this_year_minutes: int
    upcoming_missions: tuple[MissionLine, ...]
    recent_missions: tuple[MissionLine, ...]


def short_person(first_name: str, last_name: str) -> str:
    """ "Hélène L.": enough for a volunteer's list or calendar, no more."""
    initial = last_name.strip()[:1]
    return f"{first_name.strip()} {initial}.".strip() if initial else first_name.strip()


def volunteer_file(registry: Registry, volunteer_id: str, recent: int = 20) -> VolunteerFile:
    """The volunteer's file: identity, offers, slots, absences (from today on), hours
    (all time and this calendar year) and their upcoming and most recent missions."""
    volunteer = get_volunteer(registry, volunteer_id)
    today = local_today()
    now = dt.datetime.combine(today, dt.time())
    with registry.engine.connect() as conn:
        partner = (
            conn.scalar(select(Partner.name).where(Partner.id == volunteer.partner_id))
            if volunteer.partner_id
            else None
        )
        offers = tuple(
            (str(tid), str(label))
            for tid, label in conn.execute(
                select(MissionType.id, MissionType.label)
                .join(VolunteerOffer, VolunteerOffer.mission_type_id == MissionType.id)
                .where(VolunteerOffer.volunteer_id == volunteer_id)
                .order_by(MissionType.sort_order, MissionType.label)
            )
        )
        absences = tuple(
            AbsenceView(*row)
            for row in conn.execute(
                select(
                    VolunteerAbsence.id,
                    VolunteerAbsence.start_date,
                    VolunteerAbsence.end_date,
                    VolunteerAbsence.reason,
                )
                .where(
                    VolunteerAbsence.volunteer_id == volunteer_id,
                    VolunteerAbsence.deleted_at.is_(None),
                    VolunteerAbsence.end_date >= today,
                )
                .order_by(VolunteerAbsence.start_date)
            )
        )
        total = conn.scalar(
            select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
                HoursEntry.volunteer_id == volunteer_id
            )
        )
        this_year = conn.scalar(
            select(func.coalesce(func.sum(HoursEntry.minutes), 0)).where(
                HoursEntry.volunteer_id == volunteer_id,
                HoursEntry.entry_date >= dt.date(today.year, 1, 1),
            )
        )
        lines = (
            select(
                Mission.id,
                Mission.starts_at,
                Mission.ends_at,
                Beneficiary.first_name,
                Beneficiary.last_name,
                MissionType.label,
                Mission.status,
            )
            .join(Beneficiary, Beneficiary.id == Mission.beneficiary_id)
            .join(MissionType, MissionType.id == Mission.mission_type_id)
            .where(Mission.volunteer_id == volunteer_id, Mission.deleted_at.is_(None))
        )
        upcoming = conn.execute(
            lines.where(Mission.starts_at >= now, Mission.status == "planifiee")
            .order_by(Mission.starts_at)
            .limit(recent)
        ).all()
        past = conn.execute(
            lines.where(Mission.starts_at < now).order_by(Mission.starts_at.desc()).limit(recent)
        ).all()

    def line(row: Any) -> MissionLine:
        mid, start, end, first, last, label, status = row
        return MissionLine(mid, start, end, short_person(first, last), label, status)

    return VolunteerFile(
        volunteer=volunteer,
        status_label=VOLUNTEER_STATUSES.get(volunteer.status, volunteer.status),
        partner_name=partner or "",
        offers=offers,
        slots=tuple(weekly_slots(registry, volunteer_id)),
        absences=absences,
        hours_total_minutes=int(total or 0),
        hours_this_year_minutes=int(this_year or 0),
        upcoming_missions=tuple(line(r) for r in upcoming),
        recent_missions=tuple(line(r) for r in past),
    )


def volunteer_to_change(changes: ChangeSet, volunteer_id: str) -> Volunteer:
    record = changes.session.get(Volunteer, volunteer_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError("Ce bénévole n'existe plus dans le registre.")
    return record
