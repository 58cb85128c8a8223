"""Beneficiaries: create, edit, find possible duplicates, list for the lazy table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import or_, select

from bippop_desk.registry import lists
from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.lists import BENEFICIARY_COLUMNS
from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.models.people import BENEFICIARY_STATUSES, CONSENT_BY
from bippop_desk.registry.phones import format_phone, parse_phone, phone_search_tokens
from bippop_desk.registry.services import validation
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import name_key


@dataclass
class BeneficiaryInput:
    """What the form or the intake typed. Phones are raw text; the service parses them."""

    first_name: str = ""
    last_name: str = ""
    civility: str = ""
    birth_name: str = ""
    birth_date: dt.date | None = None
    address_line: str = ""
    address_complement: str = ""
    postal_code: str = ""
    city: str = ""
    quartier: str = ""
    access_notes: str = ""
    phone: str = ""
    phone_secondary: str = ""
    email: str = ""
    has_internet: bool = False
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    home_care_service: str = ""
    status: str = "actif"
    preferences: str = ""
    consent_date: dt.date | None = None
    consent_channel: str = ""
    consent_by: str = ""
    consent_third_party: str = ""
    notes: str = ""


def clean_beneficiary(data: BeneficiaryInput) -> dict[str, Any]:
    """Validated column values, or a ValidationError naming every bad field at once."""
    errors: dict[str, str] = validation.text_fields(data, Beneficiary)

    def check(field_name: str, message: str | None) -> None:
        if message:
            errors[field_name] = message

    check("last_name", validation.person_name(data.last_name, "Le nom", required=True))
    check("first_name", validation.person_name(data.first_name, "Le prénom", required=False))
    check(
        "birth_name", validation.person_name(data.birth_name, "Le nom de naissance", required=False)
    )
    check("birth_date", validation.birth_date(data.birth_date))
    check("postal_code", validation.postal_code(data.postal_code))
    check("notes", validation.notes(data.notes))
    check("access_notes", validation.notes(data.access_notes, "Les indications d'accès"))
    if data.status not in BENEFICIARY_STATUSES:
        errors["status"] = "Statut inconnu."
    if data.consent_by and data.consent_by not in CONSENT_BY:
        errors["consent_by"] = "Indiquez qui a donné le consentement."
    if data.consent_by == "third_party" and not data.consent_third_party.strip():
        errors["consent_third_party"] = "Indiquez le nom du tiers qui a fait la démarche."
    phones: dict[str, str] = {}
    for field_name in ("phone", "phone_secondary", "emergency_contact_phone"):
        try:
            phones[field_name] = parse_phone(getattr(data, field_name), field_name)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = value.strip()
    values.update(phones)
    values["search_phones"] = phone_search_tokens(phones["phone"], phones["phone_secondary"])
    values["name_key"] = name_key(values["first_name"], values["last_name"])
    return values


def _describe(values: dict[str, Any]) -> str:
    return f"{values['first_name']} {values['last_name']}".strip()


def add_beneficiary(changes: ChangeSet, values: dict[str, Any]) -> Beneficiary:
    """Insert already-cleaned values inside an open ChangeSet (see clean_beneficiary)."""
    record = Beneficiary(commune_id=changes.commune_id, **values)
    changes.create(record, f"Bénéficiaire {_describe(values)} créé·e")
    return record


def create_beneficiary(registry: Registry, data: BeneficiaryInput) -> str:
    values = clean_beneficiary(data)
    with registry.change() as changes:
        return add_beneficiary(changes, values).id


def update_beneficiary(
    registry: Registry, beneficiary_id: str, data: BeneficiaryInput
) -> list[str]:
    values = clean_beneficiary(data)
    with registry.change() as changes:
        record = changes.session.get(Beneficiary, beneficiary_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Ce bénéficiaire n'existe plus dans le registre.")
        return changes.update(record, values, f"Fiche de {_describe(values)} modifiée")


@dataclass(frozen=True)
class PossibleDuplicate:
    id: str
    full_name: str
    birth_date: dt.date | None
    phone: str
    address: str
    reason: str


def possible_duplicates(registry: Registry, data: BeneficiaryInput) -> list[PossibleDuplicate]:
    """People already in the registry who may be the same person: same name and birth
    date (or same name when either birth date is unknown), or the same phone number."""
    key = name_key(data.first_name, data.last_name)
    phones: list[str] = []
    for raw in (data.phone, data.phone_secondary):
        try:
            parsed = parse_phone(raw)
        except ValidationError:
            continue
        if parsed:
            phones.append(parsed)
    conditions = []
    if data.last_name.strip():
        conditions.append(Beneficiary.name_key == key)
    if phones:
        conditions.append(Beneficiary.phone.in_(phones))
        conditions.append(Beneficiary.phone_secondary.in_(phones))
    if not conditions:
        return []
    with registry.session() as session:
        rows = session.scalars(
            select(Beneficiary).where(Beneficiary.deleted_at.is_(None), or_(*conditions)).limit(20)
        ).all()
    found: list[PossibleDuplicate] = []
    for row in rows:
        reasons = []
        if row.name_key == key and data.last_name.strip():
            if data.birth_date and row.birth_date and data.birth_date != row.birth_date:
                pass  # same name, different birth dates: two people
            elif data.birth_date and row.birth_date:
                reasons.append("même nom et même date de naissance")
            else:
                reasons.append("même nom")
        if phones and (row.phone in phones or row.phone_secondary in phones):
            reasons.append("même numéro de téléphone")
        if reasons:
            found.append(
                PossibleDuplicate(
                    row.id,
                    row.full_name,
                    row.birth_date,
                    format_phone(row.phone),
                    " ".join(p for p in (row.address_line, row.city) if p),
                    ", ".join(reasons),
                )
            )
    return found


def get_beneficiary(registry: Registry, beneficiary_id: str) -> Beneficiary:
    with registry.session() as session:
        record = session.get(Beneficiary, beneficiary_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Ce bénéficiaire n'existe plus dans le registre.")
        return record


def input_from(record: Beneficiary) -> BeneficiaryInput:
    """The form's values for an existing record (phones shown the French way)."""
    values = {f.name: getattr(record, f.name) for f in fields(BeneficiaryInput)}
    for phone_field in ("phone", "phone_secondary", "emergency_contact_phone"):
        values[phone_field] = format_phone(values[phone_field])
    return BeneficiaryInput(**values)


# -- the list (plain SQL in registry/lists.py, shared with the first screen) -----------
LIST_COLUMNS = BENEFICIARY_COLUMNS
beneficiary_ids = lists.beneficiary_ids
beneficiary_rows = lists.beneficiary_rows
