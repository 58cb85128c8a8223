"""Alerts and their call campaigns: when the préfet raises the heatwave or cold-spell
plan, the mairie calls everyone in the register, the most exposed first.

The call list is read with plain SQL (one pass, window functions): a 10,000-person
register is listed in well under 200 ms (bench/campaign.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import CallAttempt, CallCampaign, RegisterEntry
from bippop_desk.registry.permissions import require
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.requests import RequestInput, add_request, request_errors
from bippop_desk.registry.store import Registry

KINDS = {"canicule": "Canicule", "grand_froid": "Grand froid", "autre": "Autre alerte"}
OUTCOMES = {
    "ok": "Tout va bien",
    "besoin_aide": "Besoin d'aide",
    "pas_de_reponse": "Pas de réponse",
}
STATES = {
    "a_appeler": "À appeler",
    "a_rappeler": "À rappeler",
    "escalade": "Visite à domicile",
    "joint": "Tout va bien",
    "aide": "Aide demandée",
}
PENDING = ("a_appeler", "a_rappeler")


@dataclass(frozen=True)
class Campaign:
    id: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date | None
    max_attempts: int

    @property
    def title(self) -> str:
        end = f" au {short_date(self.ends_on)}" if self.ends_on else ""
        return f"{KINDS.get(self.kind, self.kind)} — du {short_date(self.starts_on)}{end}"

    def active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class CallRow(NamedTuple):
    """One person of the call list (a tuple: 10,000 are built per reading)."""

    entry_id: str
    beneficiary_id: str
    name: str
    phone: str
    phone_secondary: str
    address: str
    emergency: str
    lives_alone: bool
    unanswered: int
    state: str
    priority: int
    reasons: str


def _campaign(record: CallCampaign) -> Campaign:
    return Campaign(record.id, record.kind, record.starts_on, record.ends_on, record.max_attempts)


def record_alert(
    registry: Registry,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    max_attempts: int = 3,
    notes: str = "",
) -> str:
    """Record an alert raised by the préfet; it opens its call campaign."""
    require(registry, "campaign.manage")
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = "Choisissez le type d'alerte."
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "La fin de l'alerte est avant son début."
    if not 1 <= max_attempts <= 10:
        errors["max_attempts"] = "Entre 1 et 10 appels sans réponse avant une visite."
    if errors:
        raise ValidationError(errors)
    with registry.change() as changes:
        record = CallCampaign(
            commune_id=changes.commune_id,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            max_attempts=max_attempts,
            notes=notes.strip(),
        )
        changes.create(
            record, f"Alerte {KINDS[kind].lower()} du {short_date(starts_on)} enregistrée"
        )
    return record.id


def end_alert(registry: Registry, campaign_id: str, ends_on: dt.date | None = None) -> None:
    require(registry, "campaign.manage", record_id=campaign_id)
    day = ends_on or local_today()
    with registry.change() as changes:
        record = changes.session.get(CallCampaign, campaign_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Cette campagne n'existe plus.")
        if day < record.starts_on:
            raise ValidationError.single("ends_on", "La fin de l'alerte est avant son début.")
        changes.update(record, {"ends_on": day}, f"Fin de l'alerte le {short_date(day)}")


def campaigns(registry: Registry) -> list[Campaign]:
    """Every campaign, newest first (no personal data: no permission needed)."""
    with registry.session() as session:
        records = session.scalars(
            select(CallCampaign)
            .where(CallCampaign.deleted_at.is_(None))
            .order_by(CallCampaign.starts_on.desc(), CallCampaign.created_at.desc())
        ).all()
    return [_campaign(r) for r in records]


def active_campaign(registry: Registry, day: dt.date | None = None) -> Campaign | None:
    """The alert in force on `day` (today), if any: the préfet export needs one."""
    when = day or local_today()
    return next((c for c in campaigns(registry) if c.active_on(when)), None)


def get_campaign(registry: Registry, campaign_id: str) -> Campaign:
    with registry.session() as session:
        record = session.get(CallCampaign, campaign_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError("Cette campagne n'existe plus.")
    return _campaign(record)


# The register joined to the people: the same reading as the plainest one (the bench's
# floor); the calls of this alert and of the previous one are read apart, from the
# campaign-first covering index, and joined in Python (a few thousand tuples).
_PEOPLE = """
SELECT e.id, b.id, b.last_name || ' ' || b.first_name, b.phone, b.phone_secondary,
       trim(b.address_line || ' ' || b.address_complement), e.emergency_contact_name,
       e.emergency_contact_phone, e.lives_alone
  FROM register_entry e
  JOIN beneficiary b ON b.id = e.beneficiary_id
 WHERE e.deleted_at IS NULL AND e.removed_on IS NULL AND b.deleted_at IS NULL
"""
# "No answer last time" looks at the previous alert only (the latest one before this).
_PREVIOUS = """
SELECT id FROM call_campaign
 WHERE deleted_at IS NULL AND id != :campaign
   AND starts_on <= (SELECT starts_on FROM call_campaign WHERE id = :campaign)
 ORDER BY starts_on DESC, created_at DESC LIMIT 1
"""
# Calls are never deleted (an erasure only blanks their notes): no deleted_at test, so
# the index alone answers.
_CALLS = """
SELECT entry_id, outcome FROM call_attempt WHERE campaign_id = ? ORDER BY entry_id, called_at
"""
_STATE_ORDER = {"a_appeler": 0, "a_rappeler": 1, "escalade": 2, "aide": 3, "joint": 4}


def build_call_list(conn: sqlite3.Connection, campaign_id: str, max_attempts: int) -> list[CallRow]:
    """The campaign's call list: who to call first (living alone, no emergency contact,
    no answer last time), then retries, then those for a home visit, then those reached.
    Plain sqlite3: runs on the worker, also used by the benchmark."""
    previous = conn.execute(_PREVIOUS, {"campaign": campaign_id}).fetchone()
    unanswered_by: dict[str, int] = {}
    reached_by: dict[str, str] = {}
    for entry_id, outcome in conn.execute(_CALLS, (campaign_id,)):
        if outcome == "pas_de_reponse":
            unanswered_by[entry_id] = unanswered_by.get(entry_id, 0) + 1
        elif reached_by.get(entry_id) != "aide":  # a need of help outranks "all is well"
            reached_by[entry_id] = "aide" if outcome == "besoin_aide" else "joint"
    silent_before: set[str] = set()
    if previous is not None:
        last: dict[str, str] = dict(conn.execute(_CALLS, (previous[0],)).fetchall())
        silent_before = {e for e, outcome in last.items() if outcome == "pas_de_reponse"}
    rows: list[CallRow] = []
    fmt = format_phone
    for (
        entry_id,
        person_id,
        name,
        phone,
        phone2,
        address,
        contact,
        contact_phone,
        alone,
    ) in conn.execute(_PEOPLE):
        unanswered = unanswered_by.get(entry_id, 0)
        state = reached_by.get(entry_id) or (
            "escalade"
            if unanswered >= max_attempts
            else "a_rappeler"
            if unanswered
            else "a_appeler"
        )
        no_contact = not (contact and contact_phone)
        silent = entry_id in silent_before
        reasons = [
            text
            for flag, text in (
                (alone, "vit seul·e"),
                (no_contact, "sans contact d'urgence"),
                (silent, "sans réponse la dernière fois"),
            )
            if flag
        ]
        rows.append(
            CallRow(
                entry_id,
                person_id,
                name,
                fmt(phone),
                fmt(phone2),
                address,
                f"{contact} {fmt(contact_phone)}".strip() if contact else "",
                bool(alone),
                unanswered,
                state,
                4 * bool(alone) + 2 * no_contact + silent,
                ", ".join(reasons),
            )
        )
    rows.sort(key=lambda r: (_STATE_ORDER[r.state], -r.priority, r.unanswered, r.name))
    return rows


def call_list(registry: Registry, campaign_id: str) -> list[CallRow]:
    require(registry, "campaign.run", record_id=campaign_id)
    campaign = get_campaign(registry, campaign_id)
    with registry.raw() as conn:
        return build_call_list(conn, campaign_id, campaign.max_attempts)


@dataclass(frozen=True)
class Progress:
    total: int
    counts: dict[str, int]

    @property
    def done(self) -> int:
        return self.counts.get("joint", 0) + self.counts.get("aide", 0)

    def text(self) -> str:
        parts = [f"{self.counts.get(k, 0)} {label.lower()}" for k, label in STATES.items()]
        return f"{self.done} / {self.total} personnes jointes — " + ", ".join(parts)


def campaign_progress(registry: Registry, campaign_id: str) -> Progress:
    rows = call_list(registry, campaign_id)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return Progress(len(rows), counts)


@dataclass
class HelpNeeded:
    """What the person needs, for the request created in the same step."""

    mission_type_id: str = ""
    notes: str = ""
    urgent: bool = True


def record_call(
    registry: Registry,
    campaign_id: str,
    entry_id: str,
    outcome: str,
    notes: str = "",
    help_needed: HelpNeeded | None = None,
) -> str:
    """One call and its outcome; "besoin d'aide" also logs the request, in the same
    transaction (all or nothing). Returns the attempt id."""
    require(registry, "campaign.run", record_id=campaign_id)
    if outcome not in OUTCOMES:
        raise ValidationError.single("outcome", "Choisissez l'issue de l'appel.")
    if len(notes) > 2000:
        raise ValidationError.single("notes", "Ce texte est trop long.")
    with registry.change() as changes:
        campaign = changes.session.get(CallCampaign, campaign_id)
        if campaign is None or campaign.deleted_at is not None:
            raise NotFoundError("Cette campagne n'existe plus.")
        if campaign.ends_on is not None and campaign.ends_on < local_today():
            raise ValidationError.single("outcome", "Cette alerte est terminée.")
        entry = changes.session.get(RegisterEntry, entry_id)
        if entry is None or entry.deleted_at is not None or entry.removed_on is not None:
            raise NotFoundError("Cette personne n'est plus au registre.")
        request_id = None
        if outcome == "besoin_aide":
            need = help_needed or HelpNeeded()
            data = RequestInput(
                beneficiary_id=entry.beneficiary_id,
                mission_type_id=need.mission_type_id,
                channel="telephone",
                urgency="urgente" if need.urgent else "normale",
                notes=(f"Appel {KINDS[campaign.kind].lower()} : {need.notes.strip()}").strip(),
            )
            errors = request_errors(changes, data)
            if "mission_type_id" in errors:
                raise ValidationError.single(
                    "mission_type_id", "Choisissez l'aide dont la personne a besoin."
                )
            if errors:
                raise ValidationError(errors)
            request_id = add_request(changes, data).id
        attempt = CallAttempt(
            commune_id=changes.commune_id,
            campaign_id=campaign_id,
            entry_id=entry_id,
            called_at=utcnow(),
            outcome=outcome,
            called_by=changes.actor.display_name,
            request_id=request_id,
            notes=notes.strip(),
        )
        changes.create(attempt, f"Appel d'alerte : {OUTCOMES[outcome].lower()}")
    return attempt.id


def call_sheet_rows(registry: Registry, campaign_id: str) -> list[CallRow]:
    """The call list for printing: a printed copy of register data, so journaled."""
    from bippop_desk.registry.services.audit_trail import EXPORT, log_event

    rows = call_list(registry, campaign_id)
    log_event(
        registry, EXPORT, "call_campaign", f"Fiches d'appel imprimées ({len(rows)})", campaign_id
    )
    return rows
