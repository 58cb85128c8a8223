"""The vulnerable-persons register (registre nominatif, CASF L121-6-1, R121-2 ff.).

Registration is voluntary: by the person, a legal representative, or a third party
(name and quality) with the person's consent. The mairie acknowledges within 8 days;
a person may leave the register at any time. Only staff named for it see the register
(permissions.py); each view of the list or of an entry is journaled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.frdates import age_on, short_date
from bippop_desk.registry.models import Beneficiary, RegisterEntry
from bippop_desk.registry.permissions import require
from bippop_desk.registry.phones import format_phone, parse_phone
from bippop_desk.registry.services.audit_trail import VIEW, log_event
from bippop_desk.registry.store import Registry

CATEGORIES = {
    "65_ans": "Personne de 65 ans ou plus",
    "60_ans_inapte": "Personne de plus de 60 ans reconnue inapte au travail",
    "handicap": "Adulte handicapé",
}
DISABILITY_BASES = {
    "aah": "AAH",
    "pch": "PCH",
    "cmi": "Carte mobilité inclusion (CMI)",
    "rqth": "RQTH",
    "invalidite": "Pension d'invalidité",
}
REQUESTED_BY = {
    "self": "La personne elle-même",
    "representative": "Son représentant légal",
    "third_party": "Un tiers (avec son accord)",
}
ACK_DAYS = 8


@dataclass
class RegisterInput:
    beneficiary_id: str = ""
    category: str = ""
    disability_basis: str = ""
    requested_by: str = "self"
    requester_name: str = ""
    requester_quality: str = ""
    consent: bool = False
    request_date: dt.date | None = None
    home_care_service: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    lives_alone: bool = False
    notes: str = ""


@dataclass(frozen=True)
class RegisterRow:
    entry_id: str
    beneficiary_id: str
    name: str
    category: str
    requested_by: str
    request_date: dt.date
    ack_sent_on: dt.date | None
    ack_due: dt.date
    phone: str

    @property
    def ack_overdue(self) -> bool:
        return self.ack_sent_on is None and self.ack_due < local_today()


def _clean(registry: Registry, data: RegisterInput, entry_id: str | None) -> dict[str, object]:
    errors: dict[str, str] = {}
    with registry.session() as session:
        person = session.get(Beneficiary, data.beneficiary_id) if data.beneficiary_id else None
        if person is None or person.deleted_at is not None:
            raise ValidationError.single("beneficiary_id", "Choisissez la personne à inscrire.")
        already = session.scalar(
            select(RegisterEntry.id).where(
                RegisterEntry.beneficiary_id == person.id,
                RegisterEntry.removed_on.is_(None),
                RegisterEntry.deleted_at.is_(None),
                RegisterEntry.id != (entry_id or ""),
            )
        )
    if already:
        errors["beneficiary_id"] = f"{person.full_name} est déjà inscrit·e au registre."
    request_date = data.request_date or local_today()
    if request_date > local_today():
        errors["request_date"] = "La date de la demande ne peut pas être dans le futur."
    if data.category not in CATEGORIES:
        errors["category"] = "Choisissez la catégorie (65 ans ou plus, 60 ans inapte, handicap)."
    elif person.birth_date is not None:
        age = age_on(person.birth_date, request_date)
        if data.category == "65_ans" and age < 65:
            errors["category"] = (
                f"La personne a {age} ans : la catégorie « 65 ans ou plus » ne convient pas."
            )
        if data.category == "60_ans_inapte" and age < 60:
            errors["category"] = f"La personne a {age} ans : il faut plus de 60 ans."
    if data.category == "handicap" and data.disability_basis not in DISABILITY_BASES:
        errors["disability_basis"] = (
            "Indiquez la reconnaissance du handicap (AAH, PCH, CMI, RQTH, pension)."
        )
    if data.requested_by not in REQUESTED_BY:
        errors["requested_by"] = "Indiquez qui demande l'inscription."
    elif data.requested_by != "self":
        if not data.requester_name.strip():
            errors["requester_name"] = "Indiquez le nom de la personne qui fait la demande."
        if not data.requester_quality.strip():
            errors["requester_quality"] = "Indiquez sa qualité (fille, voisin, tuteur, médecin…)."
    if not data.consent:
        errors["consent"] = (
            "L'inscription est volontaire : il faut l'accord de la personne "
            "(ou de son représentant légal)."
        )
    phone = ""
    try:
        phone = parse_phone(data.emergency_contact_phone, "emergency_contact_phone")
    except ValidationError as error:
        errors.update(error.errors)
    if phone and not data.emergency_contact_name.strip():
        errors["emergency_contact_name"] = "Indiquez le nom de la personne à prévenir."
    for field, limit in (("notes", 2000), ("home_care_service", 160), ("requester_name", 160)):
        if len(getattr(data, field)) > limit:
            errors[field] = "Ce texte est trop long."
    if errors:
        raise ValidationError(errors)
    third = data.requested_by != "self"
    return {
        "beneficiary_id": person.id,
        "category": data.category,
        "disability_basis": data.disability_basis if data.category == "handicap" else "",
        "requested_by": data.requested_by,
        "requester_name": data.requester_name.strip() if third else "",
        "requester_quality": data.requester_quality.strip() if third else "",
        "consent": True,
        "request_date": request_date,
        "home_care_service": data.home_care_service.strip(),
        "emergency_contact_name": data.emergency_contact_name.strip(),
        "emergency_contact_phone": phone,
        "lives_alone": bool(data.lives_alone),
        "notes": data.notes.strip(),
    }


def register_person(registry: Registry, data: RegisterInput) -> str:
    """Add a person to the register; returns the entry id."""
    require(registry, "register.write")
    values = _clean(registry, data, None)
    with registry.change() as changes:
        entry = RegisterEntry(commune_id=changes.commune_id, **values)
        who = REQUESTED_BY[str(values["requested_by"])].lower()
        changes.create(entry, f"Inscription au registre (demande : {who})")
    return entry.id


def update_entry(registry: Registry, entry_id: str, data: RegisterInput) -> list[str]:
    require(registry, "register.write", record_id=entry_id)
    values = _clean(registry, data, entry_id)
    with registry.change() as changes:
        entry = _entry(changes.session, entry_id)
        return changes.update(entry, values, "Inscription au registre modifiée")


def mark_acknowledged(registry: Registry, entry_id: str, sent_on: dt.date | None = None) -> None:
    """The acknowledgement letter has been sent (today unless said otherwise)."""
    require(registry, "register.write", record_id=entry_id)
    day = sent_on or local_today()
    with registry.change() as changes:
        entry = _entry(changes.session, entry_id)
        if day < entry.request_date or day > local_today():
            raise ValidationError.single(
                "ack_sent_on", "La date d'envoi va de la date de la demande à aujourd'hui."
            )
        changes.update(
            entry, {"ack_sent_on": day}, f"Accusé de réception envoyé le {short_date(day)}"
        )


def remove_entry(
    registry: Registry, entry_id: str, removed_on: dt.date | None = None, reason: str = ""
) -> None:
    """Radiation at the person's request (or death, move): the entry leaves the register."""
    require(registry, "register.write", record_id=entry_id)
    day = removed_on or local_today()
    with registry.change() as changes:
        entry = _entry(changes.session, entry_id)
        if entry.removed_on is not None:
            raise ValidationError.single("removed_on", "Cette personne a déjà quitté le registre.")
        if day > local_today() or day < entry.request_date:
            raise ValidationError.single(
                "removed_on", "La date de radiation va de l'inscription à aujourd'hui."
            )
        changes.update(
            entry,
            {"removed_on": day, "removal_reason": reason.strip()[:200]},
            f"Radiation du registre le {short_date(day)}",
            action="radiation",
        )


def _entry(session: Session, entry_id: str) -> RegisterEntry:
    entry = session.get(RegisterEntry, entry_id)
    if entry is None or entry.deleted_at is not None:
        raise NotFoundError("Cette inscription n'existe plus.")
    return entry


_ROWS = """
SELECT e.id, b.id, b.last_name || ' ' || b.first_name, e.category, e.requested_by,
       e.request_date, e.ack_sent_on, b.phone
  FROM register_entry e JOIN beneficiary b ON b.id = e.beneficiary_id
 WHERE e.deleted_at IS NULL AND e.removed_on IS NULL {extra}
 ORDER BY b.last_name, b.first_name
"""


def _rows(
    registry: Registry, extra: str = "", params: tuple[object, ...] = ()
) -> list[RegisterRow]:
    with registry.raw() as conn:
        found = conn.execute(_ROWS.format(extra=extra), params).fetchall()
    rows = []
    for entry_id, person_id, name, category, by, requested, ack, phone in found:
        day = dt.date.fromisoformat(requested)
        rows.append(
            RegisterRow(
                entry_id,
                person_id,
                name,
                category,
                by,
                day,
                dt.date.fromisoformat(ack) if ack else None,
                day + dt.timedelta(days=ACK_DAYS),
                format_phone(phone),
            )
        )
    return rows


def register_list(registry: Registry) -> list[RegisterRow]:
    """Everyone currently in the register, by name. The view is journaled."""
    require(registry, "register.read")
    rows = _rows(registry)
    log_event(registry, VIEW, "register_entry", f"Registre consulté ({len(rows)} inscrits)")
    return rows


def overdue_acknowledgements(registry: Registry, today: dt.date | None = None) -> list[RegisterRow]:
    """Entries whose acknowledgement is not sent ACK_DAYS after the request (home card)."""
    require(registry, "register.read")
    limit = (today or local_today()) - dt.timedelta(days=ACK_DAYS)
    return _rows(registry, "AND e.ack_sent_on IS NULL AND e.request_date < ?", (limit.isoformat(),))


@dataclass(frozen=True)
class EntryDetail:
    entry: RegisterEntry
    person: Beneficiary


def entry_detail(registry: Registry, entry_id: str) -> EntryDetail:
    """One entry and its person (for the form and the letter). The view is journaled."""
    require(registry, "register.read", record_id=entry_id)
    with registry.session() as session:
        entry = _entry(session, entry_id)
        person = session.get(Beneficiary, entry.beneficiary_id)
        assert person is not None
    log_event(registry, VIEW, "register_entry", "Inscription consultée", entry_id)
    return EntryDetail(entry, person)


def input_from(entry: RegisterEntry) -> RegisterInput:
    return RegisterInput(
        beneficiary_id=entry.beneficiary_id,
        category=entry.category,
        disability_basis=entry.disability_basis,
        requested_by=entry.requested_by,
        requester_name=entry.requester_name,
        requester_quality=entry.requester_quality,
        consent=entry.consent,
        request_date=entry.request_date,
        home_care_service=entry.home_care_service,
        emergency_contact_name=entry.emergency_contact_name,
        emergency_contact_phone=format_phone(entry.emergency_contact_phone),
        lives_alone=entry.lives_alone,
        notes=entry.notes,
    )


@dataclass(frozen=True)
class PrefetRow:
    name: str
    birth_date: dt.date | None
    address: str
    phone: str
    category: str
    requested_by: str
    request_date: dt.date
    home_care_service: str
    emergency_contact: str
    lives_alone: bool


_PREFET = """
SELECT b.last_name || ' ' || b.first_name, b.birth_date,
       trim(b.address_line || ' ' || b.address_complement),
       trim(b.postal_code || ' ' || b.city),
       b.phone, b.phone_secondary, e.category, e.disability_basis, e.requested_by,
       e.request_date, e.home_care_service, e.emergency_contact_name,
       e.emergency_contact_phone, e.lives_alone
  FROM register_entry e JOIN beneficiary b ON b.id = e.beneficiary_id
 WHERE e.deleted_at IS NULL AND e.removed_on IS NULL AND b.deleted_at IS NULL
 ORDER BY b.last_name, b.first_name
"""


def prefet_export_rows(registry: Registry, alert_id: str) -> list[PrefetRow]:
    """The register as handed to the préfet: only while an alert is in force
    (CASF R121-8), by staff named for it; every export is journaled."""
    from bippop_desk.registry.services.audit_trail import EXPORT
    from bippop_desk.registry.services.campaigns import active_campaign

    require(registry, "register.export")
    active = active_campaign(registry)
    if active is None or active.id != alert_id:
        raise ValidationError.single(
            "alert",
            "Le registre n'est transmis au préfet que pendant une alerte en cours : "
            "enregistrez d'abord l'alerte.",
        )
    with registry.raw() as conn:
        found = conn.execute(_PREFET).fetchall()
    rows = []
    for (
        name,
        birth,
        street,
        town,
        phone,
        phone2,
        category,
        basis,
        by,
        requested,
        care,
        contact,
        contact_phone,
        alone,
    ) in found:
        label = CATEGORIES.get(category, category)
        if basis:
            label += f" ({DISABILITY_BASES.get(basis, basis)})"
        phones = " / ".join(format_phone(p) for p in (phone, phone2) if p)
        rows.append(
            PrefetRow(
                name,
                dt.date.fromisoformat(birth) if birth else None,
                ", ".join(part for part in (street, town) if part),
                phones,
                label,
                REQUESTED_BY.get(by, by),
                dt.date.fromisoformat(requested),
                care,
                f"{contact} {format_phone(contact_phone)}".strip(),
                bool(alone),
            )
        )
    log_event(
        registry,
        EXPORT,
        "register_entry",
        f"Registre transmis au préfet ({len(rows)} inscrits)",
        alert_id,
    )
    return rows


def overdue_count(registry: Registry) -> int | None:
    """How many acknowledgements are late, for the home card; None for staff not named
    for the register (asking is not an attempt: nothing is journaled)."""
    from bippop_desk.registry.permissions import allowed

    if not allowed(registry, "register.read"):
        return None
    limit = local_today() - dt.timedelta(days=ACK_DAYS)
    with registry.raw() as conn:
        row = conn.execute(
            "SELECT count(*) FROM register_entry WHERE deleted_at IS NULL AND removed_on IS NULL"
            " AND ack_sent_on IS NULL AND request_date < ?",
            (limit.isoformat(),),
        ).fetchone()
    return int(row[0])
