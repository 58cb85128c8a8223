"""Erasure on request (RGPD art. 17): a person's personal data removed everywhere.

What goes: the person's identity, contact and free texts; the free texts of their
requests, visits, register entries and calls; their words in the search index, in
outbox payloads (sent or not), in drafts and in journal summaries; then VACUUM and a
WAL checkpoint(TRUNCATE) so no byte of it stays in the file.
What stays, anonymised, for statistics: the records themselves (a request of type X
in month M, a visit of N minutes, the person's birth year and commune), and the
journal's facts (who did what, when, to which record id, which field names).
The person's record becomes a tombstone whose "erase" syncs to the platform.

Backups taken before the erasure still hold the person until they expire (kept
BACKUP_DAYS, services/backups.py); each erasure is therefore also noted outside the
registry file (registry/erasure_list.py, before it commits), and restoring a copy
re-applies it (`reapply_erasures`, the same scrub) before the file is used or synced.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session

from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.erasure_list import note_erasure, read_erasures
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.models import (
    AuditEvent,
    Beneficiary,
    CallAttempt,
    DoNotCall,
    HoursEntry,
    LocalDraft,
    Mission,
    OutboxEntry,
    RegisterEntry,
    Request,
    SurveyAnswer,
    SurveyContact,
    Volunteer,
)
from bippop_desk.registry.permissions import require
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.store import Registry

# Kept in step with migration 0007: the one update the audit trail accepts.
SCRUBBED_SUMMARY = "[données personnelles effacées]"
ERASED_NAME = "Personne effacée"

_PERSON = {
    "civility": "",
    "first_name": "",
    "last_name": ERASED_NAME,
    "birth_name": "",
    "address_line": "",
    "address_complement": "",
    "quartier": "",
    "access_notes": "",
    "phone": "",
    "phone_secondary": "",
    "email": "",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
    "home_care_service": "",
    "preferences": "",
    "consent_third_party": "",
    "notes": "",
    "left_reason": "",
    "search_phones": "",
    "name_key": "",
}
# Free texts of the records linked to a person (they may quote the person).
SCRUB: dict[str, dict[str, Any]] = {
    "request": {"caller_name": "", "notes": "", "cancel_reason": ""},
    "mission": {"outcome_note": "", "notes": "", "cancel_reason": "", "override_reason": ""},
    "register_entry": {
        "requester_name": "",
        "requester_quality": "",
        "home_care_service": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "notes": "",
        "removal_reason": "",
    },
    "call_attempt": {"notes": ""},
    # Surveys (issue 16): the person's answers go, whatever they said; the contact keeps
    # only that someone of the sample was asked (a tombstone, for the response rate).
    "survey_contact": {"label": "", "stratum": "", "token_hash": "", "consent_by": ""},
    "survey_answer": {"value_num": None, "value_text": "", "skipped": False},
    "do_not_call": {"reason": ""},
}
# Linked records that leave with the person (tombstones), not only their free texts.
_ERASED_WHOLE = (RegisterEntry, SurveyContact, SurveyAnswer, DoNotCall)
MODELS: dict[str, Any] = {
    "beneficiary": Beneficiary,
    "volunteer": Volunteer,
    "request": Request,
    "mission": Mission,
    "register_entry": RegisterEntry,
    "call_attempt": CallAttempt,
    "survey_contact": SurveyContact,
    "survey_answer": SurveyAnswer,
    "do_not_call": DoNotCall,
}


@dataclass(frozen=True)
class ErasureReport:
    records: int
    journal_events: int
    drafts: int


def person_scrub(record: Beneficiary | Volunteer) -> dict[str, Any]:
    """The scrubbed values of a person's own record: only the birth year is kept
    (age-group statistics), with the postal code and commune."""
    values: dict[str, Any] = {k: v for k, v in _PERSON.items() if hasattr(record, k)}
    if record.birth_date is not None:
        values["birth_date"] = dt.date(record.birth_date.year, 1, 1)
    return values


def _linked(session: Session, entity: str, person_id: str) -> list[Any]:
    """The person's own record, then every record that carries their free texts."""
    model = MODELS[entity]
    person = session.get(model, person_id)
    if person is None:
        raise NotFoundError("Cette personne n'existe pas (ou plus) dans le registre.")
    linked: list[Any] = [person]
    if entity == "beneficiary":
        for child in (Request, Mission, RegisterEntry):
            linked += session.scalars(select(child).where(child.beneficiary_id == person_id))
        entries = [r.id for r in linked if isinstance(r, RegisterEntry)]
        if entries:
            linked += session.scalars(select(CallAttempt).where(CallAttempt.entry_id.in_(entries)))
        linked += session.scalars(select(DoNotCall).where(DoNotCall.beneficiary_id == person_id))
    who = SurveyContact.beneficiary_id if entity == "beneficiary" else SurveyContact.volunteer_id
    contacts = list(session.scalars(select(SurveyContact).where(who == person_id)))
    if contacts:
        linked += contacts
        linked += session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.contact_id.in_([c.id for c in contacts]))
        )
    return linked


def _words(person: Beneficiary | Volunteer) -> list[str]:
    """What would identify the person in a free text: names and phone numbers."""
    words = [person.last_name, getattr(person, "birth_name", ""), person.email]
    words += [f"{person.first_name} {person.last_name}"]
    for phone in (person.phone, getattr(person, "phone_secondary", "")):
        if phone:
            words.append(phone)
            words.append(format_phone(phone))
    return [w.strip() for w in words if w and len(w.strip()) >= 3]


def _scrub_outbox(session: Session, scrubs: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Rewrite every queued payload (sent ones too) that still holds old values; a
    pulled copy set aside (remote_set_aside.py) holds them too: it goes."""
    for entity, record_id in scrubs:
        session.execute(
            text("DELETE FROM sync_set_aside WHERE entity = :e AND record_id = :r"),
            {"e": entity, "r": record_id},
        )
        rows = session.execute(
            select(OutboxEntry.id, OutboxEntry.payload).where(
                OutboxEntry.entity == entity, OutboxEntry.record_id == record_id
            )
        ).all()
        for row_id, payload in rows:
            data = json.loads(payload)
            fields = data.get("fields", {})
            for key, value in scrubs[(entity, record_id)].items():
                if key in fields:
                    fields[key] = value.isoformat() if isinstance(value, dt.date) else value
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id == row_id)
                .values(payload=json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            )


def _scrub_traces(session: Session, ids: list[str], words: list[str]) -> tuple[int, int]:
    """Journal summaries, hours notes and drafts that mention the person or their
    records (the append-only tables accept exactly this one update, migration 0007)."""
    hours = list(
        session.scalars(
            select(HoursEntry.id)
            .where(HoursEntry.note != "", HoursEntry.note != SCRUBBED_SUMMARY)
            .where(
                or_(HoursEntry.mission_id.in_(ids), *[HoursEntry.note.contains(w) for w in words])
            )
        )
    )
    if hours:
        session.execute(
            update(HoursEntry)
            .where(HoursEntry.id.in_(hours))
            .values(note=SCRUBBED_SUMMARY)
            .execution_options(synchronize_session=False)
        )
        _scrub_outbox(session, {("hours_entry", h): {"note": SCRUBBED_SUMMARY} for h in hours})
    mentions = [AuditEvent.summary.contains(w) for w in words]
    events = session.execute(
        update(AuditEvent)
        .where(AuditEvent.summary != SCRUBBED_SUMMARY, AuditEvent.action != "erase")
        .where(or_(AuditEvent.record_id.in_(ids), *mentions))
        .values(summary=SCRUBBED_SUMMARY)
        .execution_options(synchronize_session=False)
    )
    draft_hits = [LocalDraft.content.contains(w) for w in [*words, *ids]]
    drafts = session.execute(delete(LocalDraft).where(or_(*draft_hits)))
    return int(events.rowcount or 0), int(drafts.rowcount or 0)  # type: ignore[attr-defined]


def _scrub_local(
    session: Session, entity: str, person_id: str
) -> tuple[list[Any], dict[tuple[str, str], dict[str, Any]], list[str]]:
    records = _linked(session, entity, person_id)
    person = records[0]
    words = _words(person)
    scrubs: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        name = record.__tablename__
        values = person_scrub(record) if record is person else dict(SCRUB[name])
        if name == "register_entry" and record.removed_on is None:
            values["removed_on"] = local_today()
        scrubs[(name, record.id)] = values
    return records, scrubs, words


def erase_locally(session: Session, entity: str, record_id: str) -> None:
    """Apply an erasure received from the platform (sync pull), inside the caller's
    transaction: the same scrub as `erase_person`, without outbox (it came from the
    server) and without VACUUM (call `compact` after the page commits)."""
    if entity not in ("beneficiary", "volunteer"):
        entity_model = MODELS.get(entity)
        record = session.get(entity_model, record_id) if entity_model else None
        if record is not None and entity in SCRUB:
            for key, value in SCRUB[entity].items():
                setattr(record, key, value)
        session.flush()
        return
    if session.get(MODELS[entity], record_id) is None:
        return
    # Noted too (before the pulled page commits): a restored backup must not bring the
    # person back even before the next pull.
    database = session.get_bind().engine.url.database
    if database:
        note_erasure(Path(database), entity, record_id, utcnow())
    records, scrubs, words = _scrub_local(session, entity, record_id)
    for record in records:
        for key, value in scrubs[(record.__tablename__, record.id)].items():
            setattr(record, key, value)
        whole = record is records[0] or isinstance(record, _ERASED_WHOLE[1:])
        if whole and record.deleted_at is None:
            record.deleted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.flush()
    _scrub_outbox(session, scrubs)
    _scrub_traces(session, [r.id for r in records], words)
    _optimize_search(session)


def erase_person(registry: Registry, entity: str, person_id: str) -> ErasureReport:
    """The user-facing erasure (administrators): noted outside the registry first
    (so no restored backup brings the person back), one transaction, then compaction."""
    if entity not in ("beneficiary", "volunteer"):
        raise NotFoundError("Seules les fiches de personnes peuvent être effacées.")
    require(registry, "data_protection", record_id=person_id)
    with registry.session() as session:
        if session.get(MODELS[entity], person_id) is None:
            raise NotFoundError("Cette personne n'existe pas (ou plus) dans le registre.")
    # First the note, on disk: if it cannot be written the erasure is not done (OSError,
    # worded by the caller); a note whose erasure then fails is harmless.
    note_erasure(registry.path, entity, person_id, utcnow())
    report = _erase(registry, entity, person_id, "Effacement à la demande de la personne (RGPD)")
    compact(registry)
    return report


def _erase(registry: Registry, entity: str, person_id: str, summary: str) -> ErasureReport:
    with registry.change() as changes:
        records, scrubs, words = _scrub_local(changes.session, entity, person_id)
        ids = [r.id for r in records]
        for record in records:
            values = scrubs[(record.__tablename__, record.id)]
            if record is records[0] or isinstance(record, _ERASED_WHOLE):
                changes.erase(record, values, summary)
            else:
                changes.update(record, values, "Textes libres effacés (RGPD)", action="erase")
        changes.session.flush()
        _scrub_outbox(changes.session, scrubs)
        events, drafts = _scrub_traces(changes.session, ids, words)
        _optimize_search(changes.session)
    return ErasureReport(len(records), events, drafts)


REAPPLIED = "Effacement réappliqué après la restauration d'une sauvegarde (RGPD)"


def is_erased(record: Beneficiary | Volunteer) -> bool:
    return record.deleted_at is not None and record.last_name == ERASED_NAME


def reapply_erasures(registry: Registry) -> int:
    """After a restore: every erasure of the list (registry/erasure_list.py) whose
    person is in the file and not erased is done again, with the same scrub as the
    first time and an "erase" for the platform in the outbox (the copy's queue may
    predate the first one). Returns how many; the file is compacted when any."""
    done = 0
    for note in read_erasures(registry.path):
        model = MODELS.get(note.entity)
        if note.entity not in ("beneficiary", "volunteer") or model is None:
            continue
        with registry.session() as session:
            record = session.get(model, note.record_id)
            if record is None or is_erased(record):
                continue
        _erase(registry, note.entity, note.record_id, REAPPLIED)
        done += 1
    if done:
        compact(registry)
    return done


def _optimize_search(session: Session) -> None:
    # FTS5 keeps deleted terms in its segments until they are merged: merge them now.
    session.execute(text("INSERT INTO search_index(search_index) VALUES ('optimize')"))


def compact(registry: Registry) -> None:
    """VACUUM (freed pages keep old bytes until rewritten) and empty the WAL file."""
    with registry.raw() as conn:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
