"""The platform's own sources: the public JSON forms (no token).

A sign-up or a help request becomes records of the commune, written like a push (the
counter row locked, versions from the commune's sequence) so they flow down to its desks,
through the web pages' path (web/submit.py): the commune's daily quota, past which they
wait for moderation; the mission types are read before the write transaction. The
rate limits are the app's (per address and per commune, as the web pages').
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import phonenumbers
from sqlalchemy import Engine

from bippop_central.fields import Invalid, check_record
from bippop_central.merge import _now_iso
from bippop_central.schemas import HelpRequestIn, VolunteerSignupIn

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FormError(Exception):
    """422 (or 404 for an unknown commune) with French messages per field."""

    def __init__(self, status: int, detail: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or {}


def _phone(raw: str, errors: dict[str, str], name: str = "phone") -> str:
    try:
        number = phonenumbers.parse(raw.strip(), "FR")
        if phonenumbers.is_valid_number(number):
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        pass
    errors[name] = f"« {raw.strip()[:30]} » n'est pas un numéro de téléphone valide."
    return ""


def _email(raw: str, errors: dict[str, str], required: bool) -> str:
    email = raw.strip()
    if (email or required) and not _EMAIL.match(email):
        errors["email"] = "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr)."
    return email


def _text(value: str) -> str:
    return " ".join(value.split())


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise FormError(422, "Le formulaire contient des erreurs : " + " ".join(errors.values()),
                        errors)  # fmt: skip


def _catalogue(engine: Engine, insee: str) -> tuple[int, int, dict[str, str]]:
    """(commune id, daily quota, mission type code → id), read outside any write."""
    from bippop_central.web import catalogue  # web/checks.py imports this module

    commune = catalogue.commune(engine, insee)
    if commune is None:
        raise FormError(404, f"Commune inconnue sur cette plateforme : {insee[:10]}.")
    return commune.id, commune.daily_quota, {t.code: t.record_id for t in commune.mission_types}


def _checked(entity: str, fields: dict[str, Any], extra: dict[str, Any]) -> Any:
    try:  # the schema a pushed record meets (fields.py): what desks can store
        check_record(entity, fields, extra)
    except Invalid as error:
        raise FormError(422, f"Le formulaire contient des erreurs : {error}",
                        {error.field or "formulaire": str(error)}) from None  # fmt: skip
    return (entity, str(uuid.uuid4()), fields, extra)


def volunteer_signup(engine: Engine, insee: str, form: VolunteerSignupIn) -> str:
    errors: dict[str, str] = {}
    phone = _phone(form.phone, errors)
    email = _email(form.email, errors, required=True)
    for name in ("first_name", "last_name", "city"):
        if not _text(getattr(form, name)):
            errors[name] = "Ce champ est obligatoire."
    _raise(errors)
    return _signup(engine, insee, form, phone, email)


def _signup(engine: Engine, insee: str, form: VolunteerSignupIn, phone: str, email: str) -> str:
    from bippop_central.web import submit
    from bippop_central.web.forms import Submission

    now = _now_iso()
    commune_id, quota, types = _catalogue(engine, insee)  # read before any write
    unknown = [code for code in form.mission_type_codes if code not in types]
    if unknown:
        raise FormError(422, "Type de mission inconnu : " + ", ".join(unknown[:5]) + ".",
                        {"mission_type_codes": "Type de mission inconnu."})  # fmt: skip
    fields = {
        "first_name": _text(form.first_name), "last_name": _text(form.last_name),
        "email": email, "phone": phone, "postal_code": form.postal_code,
        "city": _text(form.city), "has_car": form.has_car, "status": "en_attente",
        "origin": "en_ligne", "notes": form.message.strip(), "created_at": now,
        "updated_at": now,
        "birth_date": form.birth_date.isoformat() if form.birth_date else None,
    }  # fmt: skip
    extra = {"mission_type_ids": [types[c] for c in dict.fromkeys(form.mission_type_codes)]}
    record = _checked("volunteer", fields, extra)
    summary = f"Inscription bénévole : {fields['first_name']} {fields['last_name']}"
    submit.store(engine, commune_id, quota, Submission("volunteer", [record], summary))
    return record[1]


def help_request(engine: Engine, insee: str, form: HelpRequestIn) -> tuple[str, str]:
    errors: dict[str, str] = {}
    phone = _phone(form.phone, errors)
    email = _email(form.email, errors, required=False)
    for name in ("first_name", "last_name"):
        if not _text(getattr(form, name)):
            errors[name] = "Ce champ est obligatoire."
    _raise(errors)
    return _request(engine, insee, form, phone, email)


def _request(engine: Engine, insee: str, form: HelpRequestIn, phone: str,
             email: str) -> tuple[str, str]:  # fmt: skip
    from bippop_central.web import submit
    from bippop_central.web.forms import Submission

    now = _now_iso()
    commune_id, quota, types = _catalogue(engine, insee)  # read before any write
    mission_type_id = types.get(form.mission_type_code)
    if mission_type_id is None:
        raise FormError(
            422,
            f"Type d'aide inconnu : « {form.mission_type_code[:40]} ».",
            {"mission_type_code": "Type d'aide inconnu pour cette commune."},
        )
    person = {
        "first_name": _text(form.first_name), "last_name": _text(form.last_name),
        "phone": phone, "email": email, "address_line": _text(form.address_line),
        "postal_code": form.postal_code, "city": _text(form.city), "status": "actif",
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    beneficiary = _checked("beneficiary", person, {})
    request = {
        "beneficiary_id": beneficiary[1], "mission_type_id": mission_type_id,
        "channel": "plateforme", "status": "nouvelle", "received_at": now,
        "received_by": "Plateforme en ligne", "urgency": "normale", "recurrence": "aucune",
        "wished_date": form.wished_date.isoformat() if form.wished_date else None,
        "notes": form.notes.strip(), "created_at": now, "updated_at": now,
    }  # fmt: skip
    record = _checked("request", request, {})
    summary = f"Demande d'aide : {person['first_name']} {person['last_name']}"
    submit.store(engine, commune_id, quota, Submission("request", [beneficiary, record], summary))
    return record[1], beneficiary[1]
