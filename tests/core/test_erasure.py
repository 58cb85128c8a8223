"""Erasure on request: afterwards a byte search of the registry file (and its WAL)
finds nothing of the person; the facts stay, anonymised; the tombstone syncs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.models import (
    AuditEvent,
    Beneficiary,
    HoursEntry,
    LocalDraft,
    MissionType,
    OutboxEntry,
    Request,
    Volunteer,
)
from bippop_desk.registry.services.campaigns import record_alert, record_call
from bippop_desk.registry.services.erasure import SCRUBBED_SUMMARY, erase_locally, erase_person
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY
from tests.core.register_helpers import ADMIN, REGISTRAR, add_staff, registered

SECRETS = ["Quaglioni", "Zéphyrine", "612987654", "zephy@example.org", "Rue des Glycines"]


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _found(path: Path) -> list[str]:
    data = _file_bytes(path)
    return [s for s in SECRETS if s.encode() in data or s.encode("utf-16-le") in data]


@pytest.fixture
def person(registry: Registry) -> str:
    add_staff(registry, REGISTRAR, register=True)
    add_staff(registry, ADMIN)
    entry = registered(
        registry,
        "Zéphyrine",
        "Quaglioni",
        phone="06 12 98 76 54",
        email="zephy@example.org",
        address_line="3 Rue des Glycines",
    )
    with registry.session() as session:
        person_id = session.scalars(
            select(Beneficiary.id).where(Beneficiary.last_name == "Quaglioni")
        ).one()
        type_id = session.scalars(select(MissionType.id)).first()
    create_request(
        registry,
        RequestInput(
            beneficiary_id=person_id,
            mission_type_id=type_id or "",
            notes="Mme Quaglioni appelle au 06 12 98 76 54 le matin",
        ),
    )
    registry.actor = REGISTRAR
    campaign = record_alert(registry, "canicule", local_today())
    record_call(registry, campaign, entry, "ok", notes="Zéphyrine va bien")
    with registry.change() as changes:
        volunteer = Volunteer(commune_id=changes.commune_id, first_name="Jean", last_name="Aide")
        changes.create(volunteer, "Bénévole")
        changes.append(
            HoursEntry(
                commune_id=changes.commune_id,
                volunteer_id=volunteer.id,
                entry_date=local_today(),
                minutes=60,
                note="Courses pour Mme Quaglioni",
            ),
            "Heures",
        )
        changes.session.add(
            LocalDraft(
                key="intake",
                content=json.dumps(
                    {"name": "Zéphyrine Quaglioni", "person": person_id}, ensure_ascii=False
                ),
            )
        )
        # Some of her changes already reached the platform: their payloads stay in the
        # outbox (sent) until housekeeping.
        changes.session.execute(update(OutboxEntry).where(OutboxEntry.id <= 3).values(state="sent"))
    return person_id


def test_only_an_administrator_may_erase(registry: Registry, person: str) -> None:
    registry.actor = SECRETARY
    with pytest.raises(PermissionDeniedError):
        erase_person(registry, "beneficiary", person)


def test_after_erasure_no_byte_of_the_person_is_left_in_the_file(
    registry: Registry, person: str, db_path: Path
) -> None:
    with registry.raw() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _found(db_path) == SECRETS  # the search does find them before
    registry.actor = ADMIN
    report = erase_person(registry, "beneficiary", person)
    assert report.records >= 4 and report.drafts == 1
    assert _found(db_path) == []


def test_the_facts_stay_anonymised_and_the_tombstone_is_queued(
    registry: Registry, person: str
) -> None:
    registry.actor = ADMIN
    erase_person(registry, "beneficiary", person)
    with registry.session() as session:
        record = session.get(Beneficiary, person)
        requests = session.scalars(select(Request).where(Request.beneficiary_id == person)).all()
        erase = session.scalars(
            select(OutboxEntry).where(OutboxEntry.op == "erase", OutboxEntry.record_id == person)
        ).one()
        events = session.scalars(select(AuditEvent).where(AuditEvent.record_id == person)).all()
    assert record is not None and record.deleted_at is not None
    assert record.birth_date == dt.date(1946, 1, 1) and record.last_name == "Personne effacée"
    assert len(requests) == 1 and requests[0].notes == ""  # the request counts, anonymised
    assert "Quaglioni" not in erase.payload
    assert {e.action for e in events} >= {"create", "erase"}
    assert all(e.summary == SCRUBBED_SUMMARY for e in events if e.action != "erase")


def test_the_journal_refuses_updates_and_deletes_other_than_the_scrub(
    registry: Registry, person: str
) -> None:
    with pytest.raises(Exception, match="append-only"), registry.change() as changes:
        changes.session.execute(text("DELETE FROM audit_event"))
    with pytest.raises(Exception, match="append-only"), registry.change() as changes:
        changes.session.execute(text("UPDATE audit_event SET user_name = 'x'"))
    with pytest.raises(Exception, match="append-only"), registry.change() as changes:
        changes.session.execute(text("UPDATE audit_event SET summary = 'autre texte'"))
    for statement in (
        "UPDATE hours_entry SET minutes = 5",
        "UPDATE hours_entry SET note = 'autre texte'",
        f"UPDATE hours_entry SET note = '{SCRUBBED_SUMMARY}', minutes = 5",
        "DELETE FROM hours_entry",
    ):
        with pytest.raises(Exception, match="append-only"), registry.change() as changes:
            changes.session.execute(text(statement))


def test_an_erasure_pulled_from_the_platform_scrubs_without_queueing(
    registry: Registry, person: str, db_path: Path
) -> None:
    with registry.session() as session:
        queued = session.scalar(select(OutboxEntry.id).order_by(OutboxEntry.id.desc()))
    with registry.change() as changes:
        erase_locally(changes.session, "beneficiary", person)
    from bippop_desk.registry.services.erasure import compact

    compact(registry)
    with registry.session() as session:
        last = session.scalar(select(OutboxEntry.id).order_by(OutboxEntry.id.desc()))
    assert last == queued
    assert _found(db_path) == []


def test_a_volunteer_can_be_erased_too_and_their_hours_still_count(
    registry: Registry, db_path: Path
) -> None:
    add_staff(registry, ADMIN)
    with registry.change() as changes:
        volunteer = Volunteer(
            commune_id=changes.commune_id,
            first_name="Zébulon",
            last_name="Quincampoix",
            phone="+33698765432",
        )
        changes.create(volunteer, "Bénévole Zébulon Quincampoix créé")
        changes.append(
            HoursEntry(
                commune_id=changes.commune_id,
                volunteer_id=volunteer.id,
                entry_date=local_today(),
                minutes=90,
            ),
            "Heures",
        )
    registry.actor = ADMIN
    erase_person(registry, "volunteer", volunteer.id)
    data = _file_bytes(db_path)
    assert b"Quincampoix" not in data and b"698765432" not in data
    with registry.session() as session:
        minutes = session.scalars(select(HoursEntry.minutes)).all()
    assert minutes == [90]
