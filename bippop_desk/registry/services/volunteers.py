"""Volunteers: sign-up, file, status life cycle, what they offer and when they are free.

Life cycle: en attente → validé → suspendu / parti. A suspended volunteer may be
reinstated (suspendu → validé); nobody goes back to "en attente" and nobody leaves
"parti" (a returning volunteer signs up again). Only validated volunteers are
suggested and assigned (see matching.py and missions.py).

Every function here may run on any thread that holds no session; the desktop calls
them from its database worker.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import delete, func, select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import NotFoundError, StatusTransitionError, ValidationError
from bippop_desk.registry.frdates import short_date
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
from bippop_desk.registry.phones import format_phone, parse_phone, phone_search_tokens
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.availability import Absence, WeeklySlot, slot_problems
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import name_key

ORIGINS = {"guichet": "Inscription au guichet", "en_ligne": "Inscription en ligne"}

# Where a volunteer's status may go from each status (see the module docstring).
VOLUNTEER_TRANSITIONS: dict[str, frozenset[str]] = {
    "en_attente": frozenset({"valide", "parti"}),
    "valide": frozenset({"suspendu", "parti"}),
    "suspendu": frozenset({"valide", "parti"}),
    "parti": frozenset(),
}

MAX_MISSIONS_PER_WEEK = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class VolunteerInput:
    """What the sign-up or edit form typed. The phone is raw text; the service parses it.

    `mission_type_ids` are the mission types offered; they are saved with the record,
    in the same transaction. Status, validation and availability have their own calls.
    """

    first_name: str = ""
    last_name: str = ""
    civility: str = ""
    birth_date: dt.date | None = None
    address_line: str = ""
    postal_code: str = ""
    city: str = ""
    quartier: str = ""
    phone: str = ""
    email: str = ""
    has_car: bool = False
    partner_id: str | None = None
    max_missions_per_week: int = 3
    charter_signed_on: dt.date | None = None
    interview_on: dt.date | None = None
    training_on: dt.date | None = None
    origin: str = "guichet"
    notes: str = ""
    mission_type_ids: list[str] = field(default_factory=list)


_RECORD_FIELDS = tuple(f.name for f in fields(VolunteerInput) if f.name != "mission_type_ids")


def _clean(changes: ChangeSet, data: VolunteerInput) -> dict[str, Any]:
    """Validated column values, or a ValidationError naming every bad field at once."""
    errors: dict[str, str] = {}

    def check(field_name: str, message: str | None) -> None:
        if message:
            errors[field_name] = message

    check("last_name", validation.person_name(data.last_name, "Le nom", required=True))
    check("first_name", validation.person_name(data.first_name, "Le prénom", required=True))
    check("birth_date", validation.birth_date(data.birth_date))
    check("postal_code", validation.postal_code(data.postal_code))
    check("notes", validation.notes(data.notes))
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        errors["email"] = "L'adresse e-mail n'est pas valide (exemple : nom@exemple.fr)."
    if not 1 <= data.max_missions_per_week <= MAX_MISSIONS_PER_WEEK:
        errors["max_missions_per_week"] = (
            f"Le nombre d'interventions par semaine va de 1 à {MAX_MISSIONS_PER_WEEK}."
        )
    if data.charter_signed_on and data.charter_signed_on > local_today():
        errors["charter_signed_on"] = "La date de signature de la charte est dans le futur."
    if data.origin not in ORIGINS:
        errors["origin"] = "Origine de l'inscription inconnue."
    if data.partner_id:
        partner = changes.session.get(Partner, data.partner_id)
        if partner is None or partner.deleted_at is not None:
            errors["partner_id"] = "Cette association n'existe plus."
    if _unknown_types(changes, data.mission_type_ids):
        errors["mission_type_ids"] = "Un des types de mission choisis n'existe plus."
    try:
        phone = parse_phone(data.phone, "phone")
    except ValidationError as error:
        errors.update(error.errors)
        phone = ""
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {}
    for name in _RECORD_FIELDS:
        value = getattr(data, name)
        values[name] = value.strip() if isinstance(value, str) else value
    values["partner_id"] = data.partner_id or None
    values["phone"] = phone
    values["search_phones"] = phone_search_tokens(phone)
    values["name_key"] = name_key(values["first_name"], values["last_name"])
    return values


def _unknown_types(changes: ChangeSet, type_ids: Sequence[str]) -> bool:
    wanted = set(type_ids)
    if not wanted:
        return False
    known = set(
        changes.session.scalars(
            select(MissionType.id).where(
                MissionType.id.in_(wanted), MissionType.deleted_at.is_(None)
            )
        )
    )
    return known != wanted


def _load(changes: ChangeSet, volunteer_id: str) -> Volunteer:
    record = changes.session.get(Volunteer, volunteer_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError("Ce bénévole n'existe plus dans le registre.")
    return record


def _write_offers(changes: ChangeSet, volunteer_id: str, type_ids: Sequence[str]) -> bool:
    """Replace the offered types; True when they changed. The offers travel to the
    central platform in the volunteer's own outbox entry (`extra`), so no journal here."""
    session = changes.session
    current = set(
        session.scalars(
            select(VolunteerOffer.mission_type_id).where(
                VolunteerOffer.volunteer_id == volunteer_id
            )
        )
    )
    wanted = set(type_ids)
    if current == wanted:
        return False
    session.execute(
        delete(VolunteerOffer).where(
            VolunteerOffer.volunteer_id == volunteer_id,
            VolunteerOffer.mission_type_id.in_(current - wanted),
        )
    )
    session.add_all(
        VolunteerOffer(volunteer_id=volunteer_id, mission_type_id=t) for t in wanted - current
    )
    session.flush()
    return True


def create_volunteer(registry: Registry, data: VolunteerInput) -> str:
    """Sign a volunteer up ("en attente"), with the mission types offered.

    Returns the new id once the record, its offers, audit event and outbox entry are
    committed together."""
    with registry.change() as changes:
        values = _clean(changes, data)
        record = Volunteer(
            commune_id=changes.commune_id,
            status="en_attente",
            status_changed_at=utcnow(),
            **values,
        )
        changes.create(
            record,
            f"Bénévole {_describe(values)} inscrit·e ({ORIGINS[values['origin']].lower()})",
            extra={"mission_type_ids": sorted(set(data.mission_type_ids))},
        )
        _write_offers(changes, record.id, data.mission_type_ids)
        return record.id


def update_volunteer(registry: Registry, volunteer_id: str, data: VolunteerInput) -> list[str]:
    """Save the edit form; returns the names of the fields that changed
    (`mission_type_ids` included when the offers changed)."""
    with registry.change() as changes:
        values = _clean(changes, data)
        record = _load(changes, volunteer_id)
        offers_changed = _write_offers(changes, volunteer_id, data.mission_type_ids)
        changed = changes.update(
            record,
            values,
            f"Fiche du bénévole {_describe(values)} modifiée",
            extra={"mission_type_ids": sorted(set(data.mission_type_ids))},
            force=offers_changed,
        )
        return [*changed, "mission_type_ids"] if offers_changed else changed


def _describe(values: dict[str, Any]) -> str:
    return f"{values['first_name']} {values['last_name']}".strip()


# -- status -------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusChange:
    """What a status change did; `missions_to_reassign` lists the planned missions of a
    volunteer who is no longer available (suspended or gone), for the coordinator."""

    status: str
    missions_to_reassign: tuple[str, ...]


def change_volunteer_status(
    registry: Registry, volunteer_id: str, status: str, reason: str = ""
) -> StatusChange:
    """Move a volunteer forward in the life cycle (coordinators and administrators).

    Validating records who validated (the acting staff member) and when, and needs the
    signed charter; leaving needs a reason. A backwards move raises StatusTransitionError.
    """
    if status not in VOLUNTEER_STATUSES:
        raise ValidationError.single("status", "Statut inconnu.")
    with registry.change() as changes:
        changes.actor.require(
            "coordinateur", "administrateur", action="changer le statut d'un bénévole"
        )
        record = _load(changes, volunteer_id)
        if status == record.status:
            return StatusChange(status, ())
        if status not in VOLUNTEER_TRANSITIONS[record.status]:
            raise StatusTransitionError(
                f"Un bénévole « {VOLUNTEER_STATUSES[record.status]} » ne peut pas passer à "
                f"« {VOLUNTEER_STATUSES[status]} »."
            )
        now = utcnow()
        values: dict[str, Any] = {"status": status, "status_changed_at": now}
        if status == "valide" and record.validated_at is None:
            if record.charter_signed_on is None:
                raise ValidationError.single(
                    "charter_signed_on",
                    "Indiquez la date de signature de la charte avant de valider le bénévole.",
                )
            values.update(validated_by=changes.actor.display_name, validated_at=now)
        if status == "parti":
            if not reason.strip():
                raise ValidationError.single("left_reason", "Indiquez pourquoi le bénévole part.")
            values["left_reason"] = reason.strip()
        summary = f"Bénévole {record.full_name} : {VOLUNTEER_STATUSES[status].lower()}"
        if reason.strip():
            summary += f" ({reason.strip()})"
        changes.update(record, values, summary, action="status")
        pending: tuple[str, ...] = ()
        if status in ("suspendu", "parti"):
            pending = tuple(
                changes.session.scalars(
                    select(Mission.id)
                    .where(
                        Mission.volunteer_id == volunteer_id,
                        Mission.status == "planifiee",
                        Mission.deleted_at.is_(None),
                    )
                    .order_by(Mission.starts_at)
                )
            )
        return StatusChange(status, pending)


# -- availability -------------------------------------------------------------------
def set_weekly_slots(registry: Registry, volunteer_id: str, slots: Sequence[WeeklySlot]) -> bool:
    """Replace the volunteer's weekly slots; True when anything changed.

    Slots kept as they were keep their records; the others are tombstoned or created,
    each journaled, all in one transaction."""
    problem = slot_problems(slots)
    if problem:
        raise ValidationError.single("slots", problem)
    wanted = set(slots)
    with registry.change() as changes:
        volunteer = _load(changes, volunteer_id)
        current = changes.session.scalars(
            select(VolunteerAvailability).where(
                VolunteerAvailability.volunteer_id == volunteer_id,
                VolunteerAvailability.deleted_at.is_(None),
            )
        ).all()
        kept: set[WeeklySlot] = set()
        changed = False
        for record in current:
            slot = WeeklySlot(record.weekday, record.start_time, record.end_time)
            if slot in wanted and slot not in kept:
                kept.add(slot)
            else:
                changes.delete(record, f"Créneau {slot.text()} retiré ({volunteer.full_name})")
                changed = True
        for slot in sorted(wanted - kept, key=lambda s: (s.weekday, s.start)):
            changes.create(
                VolunteerAvailability(
                    volunteer_id=volunteer_id,
                    weekday=slot.weekday,
                    start_time=slot.start,
                    end_time=slot.end,
                ),
                f"Créneau {slot.text()} ajouté ({volunteer.full_name})",
            )
            changed = True
        return changed


def add_absence(
    registry: Registry, volunteer_id: str, start: dt.date, end: dt.date, reason: str = ""
) -> str:
    """Record days off (both ends included); returns the absence's id."""
    errors: dict[str, str] = {}
    if end < start:
        errors["end_date"] = "La fin de l'absence est avant son début."
    if len(reason) > 200:
        errors["reason"] = "Le motif est trop long (200 caractères au plus)."
    if errors:
        raise ValidationError(errors)
    with registry.change() as changes:
        volunteer = _load(changes, volunteer_id)
        record = VolunteerAbsence(
            volunteer_id=volunteer_id, start_date=start, end_date=end, reason=reason.strip()
        )
        text = Absence(start, end, reason.strip()).text()
        changes.create(record, f"{volunteer.full_name} : {text}")
        return record.id


def remove_absence(registry: Registry, absence_id: str) -> None:
    with registry.change() as changes:
        record = changes.session.get(VolunteerAbsence, absence_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Cette absence n'existe plus.")
        changes.delete(record, f"Absence du {short_date(record.start_date)} retirée")


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


# -- reading ------------------------------------------------------------------------
def get_volunteer(registry: Registry, volunteer_id: str) -> Volunteer:
    with registry.session() as session:
        record = session.get(Volunteer, volunteer_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Ce bénévole n'existe plus dans le registre.")
        return record


def offered_type_ids(registry: Registry, volunteer_id: str) -> list[str]:
    with registry.engine.connect() as conn:
        return list(
            conn.scalars(
                select(VolunteerOffer.mission_type_id).where(
                    VolunteerOffer.volunteer_id == volunteer_id
                )
            )
        )


def input_from(registry: Registry, volunteer_id: str) -> VolunteerInput:
    """The edit form's values for an existing volunteer (phone shown the French way)."""
    record = get_volunteer(registry, volunteer_id)
    values = {name: getattr(record, name) for name in _RECORD_FIELDS}
    values["phone"] = format_phone(values["phone"])
    return VolunteerInput(**values, mission_type_ids=offered_type_ids(registry, volunteer_id))


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
