"""Volunteers: sign-up, file, status life cycle, what they offer and when they are free.

Life cycle: en attente → validé → suspendu / parti. A suspended volunteer may be
reinstated (suspendu → validé); nobody goes back to "en attente" and nobody leaves
"parti" (a returning volunteer signs up again). Only validated volunteers are
suggested and assigned (see matching.py and missions.py).

Every function here may run on any thread that holds no session; the desktop calls
them from its database worker. The slots and absences live in `volunteer_schedule`,
the reading (lists, the volunteer file) in `volunteer_views`; both are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import delete, select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import StatusTransitionError, ValidationError
from bippop_desk.registry.models import (
    Mission,
    MissionType,
    Partner,
    Volunteer,
    VolunteerOffer,
)
from bippop_desk.registry.models.people import VOLUNTEER_STATUSES
from bippop_desk.registry.permissions import require
from bippop_desk.registry.phones import format_phone, parse_phone, phone_search_tokens
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.volunteer_schedule import (
    add_absence,
    remove_absence,
    set_weekly_slots,
)
from bippop_desk.registry.services.volunteer_views import (
    LIST_COLUMNS,
    SORTS,
    AbsenceView,
    MissionLine,
    VolunteerFile,
    get_volunteer,
    offered_type_ids,
    short_person,
    volunteer_file,
    volunteer_ids,
    volunteer_rows,
    volunteer_to_change,
    weekly_slots,
)
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import name_key

__all__ = [
    "LIST_COLUMNS",
    "MAX_MISSIONS_PER_WEEK",
    "ORIGINS",
    "SORTS",
    "VOLUNTEER_TRANSITIONS",
    "AbsenceView",
    "MissionLine",
    "StatusChange",
    "VolunteerFile",
    "VolunteerInput",
    "add_absence",
    "change_volunteer_status",
    "create_volunteer",
    "get_volunteer",
    "input_from",
    "offered_type_ids",
    "remove_absence",
    "set_weekly_slots",
    "short_person",
    "update_volunteer",
    "volunteer_file",
    "volunteer_ids",
    "volunteer_rows",
    "weekly_slots",
]

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
    errors: dict[str, str] = validation.text_fields(data, Volunteer)

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
        record = volunteer_to_change(changes, volunteer_id)
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
    require(registry, "coordination")  # refusal journaled
    with registry.change() as changes:
        record = volunteer_to_change(changes, volunteer_id)
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


def input_from(registry: Registry, volunteer_id: str) -> VolunteerInput:
    """The edit form's values for an existing volunteer (phone shown the French way)."""
    record = get_volunteer(registry, volunteer_id)
    values = {name: getattr(record, name) for name in _RECORD_FIELDS}
    values["phone"] = format_phone(values["phone"])
    return VolunteerInput(**values, mission_type_ids=offered_type_ids(registry, volunteer_id))
