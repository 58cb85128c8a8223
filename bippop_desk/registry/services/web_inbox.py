"""What arrived from the platform's web pages and waits for staff ("à vérifier", issue 15):
help requests sent online (channel `plateforme`, still `nouvelle`: not urgent until
staff say so), online sign-ups (volunteers `en_attente` of origin `en_ligne`: candidates
until their interview), each with its possible duplicates among the people already in
the registry (the rules of the phone desk and of imports: same name and birth date,
same name when a date is unknown, or the same phone), and the hours volunteers declared
online (services/hours_declarations.py). The moderation queue stays on the platform
(sync/moderation.py fetches it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bippop_desk.registry.errors import NotFoundError, StatusTransitionError
from bippop_desk.registry.models import Beneficiary, MissionType, Request, Volunteer
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    PossibleDuplicate,
    possible_duplicates,
)
from bippop_desk.registry.services.requests import move_request
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import name_key

ORIGIN = "Arrivée par la plateforme en ligne"


@dataclass(frozen=True)
class WebArrival:
    kind: str  # "request" / "volunteer"
    id: str  # the request's or the volunteer's
    received_at: dt.datetime
    person: str
    phone: str
    what: str  # the help asked, or the sign-up
    origin: str
    duplicates: tuple[PossibleDuplicate, ...]


def web_arrivals(registry: Registry) -> list[WebArrival]:
    """Everything from the web still to check, oldest first."""
    with registry.session() as session:
        requests = session.execute(
            select(Request.id, Request.received_at, Request.caller_name, Beneficiary,
                   MissionType.label)
            .join(Beneficiary, Beneficiary.id == Request.beneficiary_id)
            .outerjoin(MissionType, MissionType.id == Request.mission_type_id)
            .where(Request.channel == "plateforme", Request.status == "nouvelle",
                   Request.deleted_at.is_(None))
            .order_by(Request.received_at)
        ).all()  # fmt: skip
        volunteers = session.scalars(
            select(Volunteer)
            .where(Volunteer.origin == "en_ligne", Volunteer.status == "en_attente",
                   Volunteer.deleted_at.is_(None))
            .order_by(Volunteer.created_at)
        ).all()  # fmt: skip
        people = [(rid, at, caller, person, label) for rid, at, caller, person, label in requests]
        candidates = [
            (v.id, v.created_at, v.full_name, v.phone, v.first_name, v.last_name, v.birth_date,
             _volunteer_twins(session, v))
            for v in volunteers
        ]  # fmt: skip
    found: list[WebArrival] = []
    for rid, at, caller, person, label in people:
        data = BeneficiaryInput(first_name=person.first_name, last_name=person.last_name,
                                birth_date=person.birth_date, phone=person.phone)  # fmt: skip
        twins = tuple(d for d in possible_duplicates(registry, data) if d.id != person.id)
        what = f"Demande : {label or 'aide'}" + (f" (faite par {caller})" if caller else "")
        found.append(WebArrival("request", rid, at, person.full_name, format_phone(person.phone),
                                what, ORIGIN, twins))  # fmt: skip
    for vid, at, full_name, phone, first, last, birth, twins_v in candidates:
        data = BeneficiaryInput(first_name=first, last_name=last, birth_date=birth, phone=phone)
        twins = tuple(twins_v) + tuple(possible_duplicates(registry, data))
        found.append(WebArrival("volunteer", vid, at, full_name, format_phone(phone),
                                "Inscription bénévole (candidat, entretien à prévoir)",
                                ORIGIN, twins))  # fmt: skip
    return sorted(found, key=lambda a: a.received_at)


def _volunteer_twins(session: Session, volunteer: Volunteer) -> list[PossibleDuplicate]:
    """Other volunteers with the same name key or phone (a second online sign-up)."""
    key = name_key(volunteer.first_name, volunteer.last_name)
    conditions = [Volunteer.name_key == key]
    if volunteer.phone:
        conditions.append(Volunteer.phone == volunteer.phone)
    rows = session.scalars(
        select(Volunteer).where(Volunteer.id != volunteer.id, Volunteer.deleted_at.is_(None),
                                or_(*conditions)).limit(20)
    ).all()  # fmt: skip
    twins = []
    for row in rows:
        same_phone = bool(volunteer.phone) and row.phone == volunteer.phone
        reason = "bénévole : même numéro de téléphone" if same_phone else "bénévole : même nom"
        twins.append(PossibleDuplicate(row.id, row.full_name, row.birth_date,
                                       format_phone(row.phone), row.city, reason))  # fmt: skip
    return twins


def mark_checked(registry: Registry, request_id: str) -> None:
    """A web request checked by staff (the person called back): it goes to matching
    ("en recherche"); urgency stays as staff set it."""
    with registry.change() as changes:
        request = changes.session.get(Request, request_id)
        if request is None or request.deleted_at is not None:
            raise NotFoundError("Cette demande n'existe pas.")
        if request.status != "nouvelle":
            raise StatusTransitionError("Cette demande a déjà été vérifiée.")
        move_request(changes, request, "en_recherche", "Demande en ligne vérifiée")
