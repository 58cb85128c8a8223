"""The platform's own sources: the public web forms (no token).

A sign-up or a help request becomes records of the commune, written like a push (the
counter row locked, versions from the commune's sequence) so they flow down to its desks.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import phonenumbers
from sqlalchemy import Connection, Engine, select

from bippop_central.db import writing
from bippop_central.fields import Invalid, check_record
from bippop_central.merge import _now_iso
from bippop_central.models import commune_t, record_t, utcnow
from bippop_central.push import lock_counter, retrying, save_counter
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


def _commune(conn: Connection, insee: str) -> int:
    found = conn.execute(select(commune_t.c.id).where(commune_t.c.insee_code == insee)).scalar()
    if found is None:
        raise FormError(404, f"Commune inconnue sur cette plateforme : {insee[:10]}.")
    return int(found)


def _mission_types(conn: Connection, commune_id: int) -> dict[str, str]:
    rows = conn.execute(
        select(record_t.c.record_id, record_t.c.fields).where(
            record_t.c.commune_id == commune_id, record_t.c.entity == "mission_type",
            record_t.c.deleted.is_(False),
        )
    )  # fmt: skip
    return {row.fields.get("code"): row.record_id for row in rows if row.fields.get("code")}


def _insert(conn: Connection, commune_id: int, seq: int, entity: str, fields: dict[str, Any],
            extra: dict[str, Any] | None = None) -> str:  # fmt: skip
    try:  # the schema a pushed record meets (fields.py): what desks can store
        check_record(entity, fields, extra or {})
    except Invalid as error:
        raise FormError(422, f"Le formulaire contient des erreurs : {error}",
                        {error.field or "formulaire": str(error)}) from None  # fmt: skip
    record_id = str(uuid.uuid4())
    conn.execute(
        record_t.insert().values(
            record_id=record_id, commune_id=commune_id, entity=entity, version=seq,
            fields=fields, extra=extra or {}, field_versions=dict.fromkeys(fields, seq),
            field_origins={"": ""},
            deleted=False, erased=False, origin_device=None, updated_at=utcnow(),
        )
    )  # fmt: skip
    return record_id


def volunteer_signup(engine: Engine, insee: str, form: VolunteerSignupIn) -> str:
    errors: dict[str, str] = {}
    phone = _phone(form.phone, errors)
    email = _email(form.email, errors, required=True)
    for name in ("first_name", "last_name", "city"):
        if not _text(getattr(form, name)):
            errors[name] = "Ce champ est obligatoire."
    _raise(errors)
    return retrying(_signup, engine, insee, form, phone, email)


def _signup(engine: Engine, insee: str, form: VolunteerSignupIn, phone: str, email: str) -> str:
    now = _now_iso()
    with writing(engine) as conn:
        commune_id = _commune(conn, insee)
        types = _mission_types(conn, commune_id)
        unknown = [code for code in form.mission_type_codes if code not in types]
        if unknown:
            raise FormError(422, "Type de mission inconnu : " + ", ".join(unknown[:5]) + ".",
                            {"mission_type_codes": "Type de mission inconnu."})  # fmt: skip
        seq = lock_counter(conn, commune_id) + 1
        fields = {
            "first_name": _text(form.first_name), "last_name": _text(form.last_name),
            "email": email, "phone": phone, "postal_code": form.postal_code,
            "city": _text(form.city), "has_car": form.has_car, "status": "en_attente",
            "origin": "en_ligne", "notes": form.message.strip(), "created_at": now,
            "updated_at": now,
            "birth_date": form.birth_date.isoformat() if form.birth_date else None,
        }  # fmt: skip
        extra = {"mission_type_ids": [types[c] for c in dict.fromkeys(form.mission_type_codes)]}
        volunteer_id = _insert(conn, commune_id, seq, "volunteer", fields, extra)
        save_counter(conn, commune_id, seq)
    return volunteer_id


def help_request(engine: Engine, insee: str, form: HelpRequestIn) -> tuple[str, str]:
    errors: dict[str, str] = {}
    phone = _phone(form.phone, errors)
    email = _email(form.email, errors, required=False)
    for name in ("first_name", "last_name"):
        if not _text(getattr(form, name)):
            errors[name] = "Ce champ est obligatoire."
    _raise(errors)
    return retrying(_request, engine, insee, form, phone, email)


def _request(engine: Engine, insee: str, form: HelpRequestIn, phone: str,
             email: str) -> tuple[str, str]:  # fmt: skip
    now = _now_iso()
    with writing(engine) as conn:
        commune_id = _commune(conn, insee)
        mission_type_id = _mission_types(conn, commune_id).get(form.mission_type_code)
        if mission_type_id is None:
            raise FormError(
                422,
                f"Type d'aide inconnu : « {form.mission_type_code[:40]} ».",
                {"mission_type_code": "Type d'aide inconnu pour cette commune."},
            )
        seq = lock_counter(conn, commune_id) + 1
        person = {
            "first_name": _text(form.first_name), "last_name": _text(form.last_name),
            "phone": phone, "email": email, "address_line": _text(form.address_line),
            "postal_code": form.postal_code, "city": _text(form.city), "status": "actif",
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        beneficiary_id = _insert(conn, commune_id, seq, "beneficiary", person)
        request = {
            "beneficiary_id": beneficiary_id, "mission_type_id": mission_type_id,
            "channel": "plateforme", "status": "nouvelle", "received_at": now,
            "received_by": "Plateforme en ligne", "urgency": "normale", "recurrence": "aucune",
            "wished_date": form.wished_date.isoformat() if form.wished_date else None,
            "notes": form.notes.strip(), "created_at": now, "updated_at": now,
        }  # fmt: skip
        request_id = _insert(conn, commune_id, seq + 1, "request", request)
        save_counter(conn, commune_id, seq + 1)
    return request_id, beneficiary_id
