"""The two public forms, from what the browser sent to the records they make: every
field checked (checks.py), French messages per field, nothing written here.

A form gives a `Submission`: its records (entity, id, fields, extra) as a desk would
push them, and a one-line summary for the moderation list. Web records are marked
for the desk's "à vérifier": requests come on channel `plateforme`, never urgent; a
sign-up is a volunteer `en_attente` of origin `en_ligne`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bippop_central.fields import Invalid, check_record
from bippop_central.merge import _now_iso
from bippop_central.web import checks
from bippop_central.web.catalogue import Commune
from bippop_central.web.checks import Errors

WEEKDAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
PERIODS = {"matin": ("Matin", "09:00:00", "12:00:00"),
           "apres-midi": ("Après-midi", "14:00:00", "18:00:00")}  # fmt: skip
RECEIVED_BY = "Plateforme en ligne"
NO_CONSENT = (
    "Sans l'accord de la personne, la mairie ne peut pas enregistrer la demande : cochez "
    "la case si elle est d'accord."
)
Record = tuple[str, str, dict[str, Any], dict[str, Any]]


@dataclass
class Submission:
    kind: str  # volunteer / request
    records: list[Record] = field(default_factory=list)
    summary: str = ""


class FormValues:
    """The browser's fields (one value, or all of a checkbox group), never None."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._items = [(k, v) for k, v in items if isinstance(v, str)]

    def get(self, name: str) -> str:
        return next((v for k, v in self._items if k == name), "")[:5000]

    def all(self, name: str) -> list[str]:
        return [v[:100] for k, v in self._items if k == name][:100]

    def as_dict(self) -> dict[str, Any]:
        """For redisplay: single values, and lists for the checkbox groups."""
        shown: dict[str, Any] = {}
        for key, value in self._items:
            if key in ("types", "dispo"):
                shown.setdefault(key, []).append(value)
            else:
                shown.setdefault(key, value[:5000])
        return shown


def _record(entity: str, fields: dict[str, Any], extra: dict[str, Any] | None = None) -> Record:
    return (entity, str(uuid.uuid4()), fields, extra or {})


def _whole(records: list[Record], errors: Errors) -> None:
    """The platform's check of each whole record, as a push would meet it."""
    for entity, _id, fields, extra in records:
        try:
            check_record(entity, fields, extra)
        except Invalid as error:
            errors.add(error.field or "formulaire", str(error))


def volunteer(form: FormValues, commune: Commune) -> tuple[Submission | None, Errors]:
    errors = Errors()
    first = checks.name("volunteer", "first_name", form.get("first_name"), "votre prénom", errors)
    last = checks.name("volunteer", "last_name", form.get("last_name"), "votre nom", errors)
    birth = checks.date(form.get("birth_date"), errors, "birth_date",
                        label="votre date de naissance", past=True)  # fmt: skip
    mail = checks.email(form.get("email"), errors, required=True)
    phone = checks.phone(form.get("phone"), errors, label="votre numéro de téléphone")
    street = checks.text("volunteer", "address_line", form.get("address_line"), errors)
    postal = checks.postal_code(form.get("postal_code"), errors, required=True)
    city = checks.text("volunteer", "city", form.get("city"), errors, label="votre commune",
                       required=True)  # fmt: skip
    types = [commune.mission_type(code) for code in dict.fromkeys(form.all("types"))]
    if any(t is None for t in types):
        errors.add("types", "Un type de mission choisi n'est plus proposé : choisissez à nouveau.")
    slots = []
    for value in dict.fromkeys(form.all("dispo")):
        day, _, period = value.partition("-")
        if not day.isdigit() or int(day) > 6 or period not in PERIODS:
            errors.add("dispo", "Disponibilité non reconnue : cochez à nouveau.")
            continue
        slots.append((int(day), PERIODS[period][1], PERIODS[period][2]))
    message = checks.text("volunteer", "notes", form.get("message"), errors, multiline=True,
                          form_field="message")  # fmt: skip
    if form.get("charter") != "oui":
        errors.add("charter", "Pour devenir bénévole, acceptez la charte du bénévole.")
    if errors:
        return None, errors
    now, today = _now_iso(), checks.today().isoformat()
    notes = "Inscription en ligne : charte acceptée le " + checks.today().strftime("%d/%m/%Y")
    if message:
        notes += ".\nMessage : " + message
    person = {
        "first_name": first, "last_name": last, "birth_date": birth.isoformat() if birth else None,
        "email": mail, "phone": phone, "address_line": street, "postal_code": postal,
        "city": city, "has_car": form.get("has_car") == "oui", "status": "en_attente",
        "origin": "en_ligne", "charter_signed_on": today, "notes": notes,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    extra = {"mission_type_ids": [t.record_id for t in types if t is not None]}
    records = [_record("volunteer", person, extra)]
    volunteer_id = records[0][1]
    for weekday, start, end in slots:
        records.append(_record("volunteer_availability", {
            "volunteer_id": volunteer_id, "weekday": weekday, "start_time": start,
            "end_time": end, "created_at": now, "updated_at": now,
        }))  # fmt: skip
    _whole(records, errors)
    summary = f"Inscription bénévole : {first} {last}, {city} ({form.get('email')[:60]})"
    return (None if errors else Submission("volunteer", records, summary)), errors


def help_request(form: FormValues, commune: Commune) -> tuple[Submission | None, Errors]:
    errors = Errors()
    for_whom = form.get("for_whom")
    if for_whom not in ("moi", "proche"):
        errors.add("for_whom", "Indiquez pour qui est la demande.")
    third = for_whom == "proche"
    requester = relation = requester_phone = ""
    if third:
        requester = checks.name("beneficiary", "consent_third_party", form.get("requester_name"),
                                "votre nom et prénom", errors)  # fmt: skip
        if "consent_third_party" in errors:
            errors["requester_name"] = errors.pop("consent_third_party")
        relation = checks.text("request", "received_by", form.get("relation"), errors,
                               label="votre lien avec la personne", required=True,
                               form_field="relation")  # fmt: skip
        requester_phone = checks.phone(form.get("requester_phone"), errors, "requester_phone",
                                       label="votre numéro de téléphone")  # fmt: skip
    first = checks.name("beneficiary", "first_name", form.get("first_name"), "le prénom", errors)
    last = checks.name("beneficiary", "last_name", form.get("last_name"), "le nom", errors)
    birth = checks.date(form.get("birth_date"), errors, "birth_date",
                        label="la date de naissance", past=True)  # fmt: skip
    phone = checks.phone(form.get("phone"), errors, label="le téléphone de la personne")
    mail = checks.email(form.get("email"), errors, required=False)
    street = checks.text("beneficiary", "address_line", form.get("address_line"), errors,
                         label="l'adresse (numéro et rue)", required=True)  # fmt: skip
    postal = checks.postal_code(form.get("postal_code"), errors, required=True)
    city = checks.text("beneficiary", "city", form.get("city"), errors, label="la commune",
                       required=True)  # fmt: skip
    kind = commune.mission_type(form.get("mission_type"))
    if kind is None:
        errors.add("mission_type", "Choisissez le type d'aide souhaité.")
    wished = checks.date(form.get("wished_date"), errors, "wished_date",
                         label="la date souhaitée", future=True)  # fmt: skip
    notes = checks.text("request", "notes", form.get("notes"), errors, multiline=True)
    if form.get("consent") != "oui":
        errors.add("consent", NO_CONSENT)
    if errors:
        return None, errors
    assert kind is not None
    now, today = _now_iso(), checks.today().isoformat()
    person = {
        "first_name": first, "last_name": last,
        "birth_date": birth.isoformat() if birth else None, "phone": phone, "email": mail,
        "address_line": street, "postal_code": postal, "city": city, "status": "actif",
        "has_internet": True, "consent_date": today, "consent_channel": "en_ligne",
        "consent_by": "third_party" if third else "self",
        "consent_third_party": f"{requester} ({relation})"[:160] if third else "",
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    records = [_record("beneficiary", person)]
    request_notes = notes
    if third:
        request_notes = (
            f"Demande faite en ligne par {requester} ({relation}), joignable au "
            f"{requester_phone}." + (f"\n{notes}" if notes else "")
        )
    records.append(_record("request", {
        "beneficiary_id": records[0][1], "mission_type_id": kind.record_id,
        "channel": "plateforme", "caller_name": requester if third else "",
        "status": "nouvelle", "received_at": now, "received_by": RECEIVED_BY,
        "urgency": "normale", "recurrence": "aucune",
        "wished_date": wished.isoformat() if wished else None, "notes": request_notes[:4000],
        "created_at": now, "updated_at": now,
    }))  # fmt: skip
    _whole(records, errors)
    summary = f"Demande d'aide ({kind.label}) : {first} {last}, {city}"
    if third:
        summary += f", faite par {requester} ({relation})"
    return (None if errors else Submission("request", records, summary)), errors


def field_order(kind: str) -> list[str]:
    """The fields in page order: the error summary lists them in the same order."""
    if kind == "volunteer":
        return ["first_name", "last_name", "birth_date", "email", "phone", "address_line",
                "postal_code", "city", "types", "dispo", "message", "charter"]  # fmt: skip
    return ["for_whom", "requester_name", "relation", "requester_phone", "first_name",
            "last_name", "birth_date", "phone", "email", "address_line", "postal_code", "city",
            "mission_type", "wished_date", "notes", "consent"]  # fmt: skip


def ordered(errors: Mapping[str, str], kind: str) -> list[tuple[str, str]]:
    order = field_order(kind)
    return sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)
