"""Importing the vulnerable-persons register (registre canicule) a mairie kept in a
spreadsheet: each row is a person (found in the registry, else created as a
beneficiary) and their register entry, checked by the register's own rules
(services/register.py). A person already in the register is left as is, so importing
the same list again adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import age_on
from bippop_desk.registry.models import Beneficiary, RegisterEntry
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, clean_beneficiary
from bippop_desk.registry.services.register import CATEGORIES, DISABILITY_BASES
from bippop_desk.registry.textkeys import fold

_PERSON_FIELDS = frozenset(
    {
        "first_name", "last_name", "civility", "birth_date", "address_line", "postal_code",
        "city", "quartier", "phone", "phone_secondary", "email", "has_internet", "notes",
        "emergency_contact_name", "emergency_contact_phone", "home_care_service",
    }
)  # fmt: skip
# What mairies write in a "Catégorie" / "Motif" column, folded, → (category, basis).
_DISABILITY_WORDS = {
    "aah": "aah", "pch": "pch", "cmi": "cmi", "carte mobilite": "cmi", "rqth": "rqth",
    "invalidite": "invalidite", "pension d invalidite": "invalidite",
}  # fmt: skip


def _category(text: str, age: int | None) -> tuple[str, str]:
    """(category code, disability basis) from the cell's words; the person's age when
    the cell is empty. ValueError (French) when it cannot tell."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()
    for word, basis in _DISABILITY_WORDS.items():
        if word in words:
            return "handicap", basis
    if "handicap" in words:
        return "handicap", ""
    if "inapte" in words or words.startswith("60"):
        return "60_ans_inapte", ""
    tokens = set(words.split())
    if tokens & {"65", "65ans", "age", "agee", "ages", "agees"} or words.startswith("65"):
        return "65_ans", ""
    if not words and age is not None and age >= 65:
        return "65_ans", ""
    if words in CATEGORIES:
        return words, ""
    raise ValueError(
        f"Catégorie « {text} » inconnue : 65 ans ou plus, 60 ans inapte au travail, ou "
        "handicap (AAH, PCH, CMI, RQTH, pension d'invalidité)."
    )


def register_cleaner(changes: ChangeSet) -> Callable[[dict[str, Any]], Any]:
    from bippop_desk.registry.importing.plan import PlannedRow

    today = local_today()

    def clean(raw: dict[str, Any]) -> Any:
        person = {k: v for k, v in raw.items() if k in _PERSON_FIELDS}
        errors: dict[str, str] = {}
        try:
            values = clean_beneficiary(BeneficiaryInput(**person))
        except ValidationError as error:
            errors.update(error.errors)
            values = {}
        request_date = raw.get("request_date") or today
        birth = raw.get("birth_date")
        age = age_on(birth, request_date) if birth else None
        category, basis = "", ""
        try:
            category, basis = _category(str(raw.get("category", "")), age)
        except ValueError as error:
            errors["category"] = str(error)
        if category == "65_ans" and age is not None and age < 65:
            errors["category"] = f"La personne a {age} ans : « 65 ans ou plus » ne convient pas."
        if category == "60_ans_inapte" and age is not None and age < 60:
            errors["category"] = f"La personne a {age} ans : il faut plus de 60 ans."
        if category == "handicap" and basis not in DISABILITY_BASES:
            errors["category"] = (
                "Indiquez la reconnaissance du handicap (AAH, PCH, CMI, RQTH, pension)."
            )
        if request_date > today:
            errors["request_date"] = "La date de la demande est dans le futur."
        if errors:
            raise ValidationError(errors)
        entry = {
            "category": category,
            "disability_basis": basis,
            "requested_by": "self",
            "consent": True,  # the register only ever held people who agreed
            "request_date": request_date,
            "lives_alone": bool(raw.get("lives_alone", False)),
            "home_care_service": values.get("home_care_service", ""),
            "emergency_contact_name": values.get("emergency_contact_name", ""),
            "emergency_contact_phone": values.get("emergency_contact_phone", ""),
            "notes": "",
        }
        return PlannedRow(0, values, entry)

    return clean


def write_register(changes: ChangeSet, plan: Any, rows: list[Any]) -> list[str]:
    """Create the people not yet in the registry, then one register entry per person who
    has none in force; returns the ids of the entries created."""
    from bippop_desk.registry.importing.apply import bulk_create, full_rows

    existing = {d.line: d.existing_id for d in plan.duplicates if d.certain}
    new_rows = [row for row in rows if row.line not in existing]
    people = full_rows(Beneficiary, [row.values for row in new_rows], changes.commune_id)
    bulk_create(
        changes,
        Beneficiary,
        people,
        lambda r: f"Bénéficiaire {r['first_name']} {r['last_name']} créé·e (import du registre)",
    )
    person_of = {row.line: person["id"] for row, person in zip(new_rows, people, strict=True)}
    person_of.update({line: pid for line, pid in existing.items()})
    registered = set(
        changes.session.scalars(
            select(RegisterEntry.beneficiary_id).where(
                RegisterEntry.removed_on.is_(None), RegisterEntry.deleted_at.is_(None)
            )
        )
    )
    entries = []
    for row in [*new_rows, *(r for r in plan.rows if r.line in existing)]:
        pid = person_of[row.line]
        if pid in registered:
            continue  # already in the register: left as it is
        registered.add(pid)
        entries.append({**row.extra, "beneficiary_id": pid})
    records = full_rows(RegisterEntry, entries, changes.commune_id)
    bulk_create(
        changes, RegisterEntry, records, lambda _r: "Inscription au registre (import d'un tableur)"
    )
    return [record["id"] for record in records]
