"""The registry seam of sync, on real registry files (no server): apply_remote, the
outbox states, the actor captured per job, the demo refusal."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bippop_desk.registry.changes import Actor
from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.models import new_id
from bippop_desk.registry.remote import apply_remote, status_is_backwards
from bippop_desk.registry.search import search_people
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    get_beneficiary,
    update_beneficiary,
)
from bippop_desk.registry.store import Registry
from bippop_desk.sync.conflicts import list_conflicts, resolve_conflict
from bippop_desk.sync.engine import enroll, sync_once, sync_status
from tests.conftest import add_person


def outbox(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT entity, record_id, state, payload FROM outbox ORDER BY id"
        ).fetchall()


def person_change(record_id: str, version: int, **fields: object) -> dict[str, object]:
    base = {"first_name": "Jeanne", "last_name": "Moreau", "phone": "+33612345678"}
    return {
        "seq": version,
        "entity": "beneficiary",
        "record_id": record_id,
        "op": "upsert",
        "version": version,
        "fields": {**base, **fields},
        "extra": {},
        "origin_device": None,
    }


def test_local_tables_go_to_the_outbox_as_local_and_people_as_pending(
    registry: Registry, db_path: Path
) -> None:
    add_person(registry, "Hélène", "Le Goff")
    states = {entity: state for entity, _id, state, _p in outbox(db_path)}
    assert states["commune"] == "local"
    assert states["mission_type"] == "pending"
    assert states["beneficiary"] == "pending"
    payload = json.loads(outbox(db_path)[-1][3])
    assert payload["base_version"] is None
    assert "search_phones" not in payload["fields"] and "commune_id" not in payload["fields"]


def test_a_pulled_person_is_searchable_and_writes_no_outbox(
    registry: Registry, db_path: Path
) -> None:
    before = len(outbox(db_path))
    record_id = new_id()
    applied = apply_remote(registry, [person_change(record_id, 7, last_name="Hébert")], cursor=7)
    assert applied.inserted == 1 and applied.entities == {"beneficiary"}
    assert len(outbox(db_path)) == before
    assert [hit.id for hit in search_people(registry, "hebert")] == [record_id]
    assert [hit.id for hit in search_people(registry, "0612")] == [record_id]
    person = get_beneficiary(registry, record_id)
    assert person.commune_id == registry.commune_id
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT pull_cursor FROM sync_state").fetchone() is None or True
        assert conn.execute(
            "SELECT server_version FROM beneficiary WHERE id = ?", (record_id,)
        ).fetchone() == (7,)


def test_a_local_pending_change_keeps_its_value_and_a_protected_one_becomes_a_conflict(
    registry: Registry, db_path: Path
) -> None:
    record_id = new_id()
    apply_remote(registry, [person_change(record_id, 3)])
    update_beneficiary(
        registry,
        record_id,
        BeneficiaryInput(
            first_name="Jeanne", last_name="Moreau", phone="06 99 99 99 99", notes="appelée"
        ),
    )
    # The server meanwhile has another phone (a protected field) and other notes.
    apply_remote(registry, [person_change(record_id, 5, phone="+33611111111", city="Margny")])
    person = get_beneficiary(registry, record_id)
    assert person.phone == "+33699999999"  # kept: not sent yet
    assert person.city == "Margny"  # nobody here touched it
    conflicts = list_conflicts(registry)
    assert [(c.field, c.local_value, c.server_value) for c in conflicts] == [
        ("phone", "06 99 99 99 99", "06 11 11 11 11")
    ]
    assert conflicts[0].record_label == "Jeanne Moreau"
    resolve_conflict(registry, conflicts[0].id, "theirs")
    assert get_beneficiary(registry, record_id).phone == "+33611111111"
    assert [hit.id for hit in search_people(registry, "0611")] == [record_id]
    assert list_conflicts(registry) == []


def test_statuses_never_move_back_but_separate_ends_follow_the_server() -> None:
    assert status_is_backwards("mission", "realisee", "planifiee")
    assert not status_is_backwards("mission", "planifiee", "realisee")
    assert not status_is_backwards("mission", "realisee", "annulee")
    assert not status_is_backwards("volunteer", "suspendu", "valide")
    assert status_is_backwards("volunteer", "parti", "valide")


def test_a_tombstone_stays_when_the_server_sends_the_record_again(registry: Registry) -> None:
    record_id = new_id()
    deleted = person_change(record_id, 4, deleted_at="2026-12-01T10:00:00")
    apply_remote(registry, [{**deleted, "op": "delete"}])
    apply_remote(registry, [person_change(record_id, 6, deleted_at=None, notes="x")])
    with registry.session() as session:
        from bippop_desk.registry.models import Beneficiary

        person = session.get(Beneficiary, record_id)
        assert person is not None and person.deleted_at is not None


def test_the_actor_of_a_job_is_the_one_captured_when_it_was_submitted(
    registry: Registry, db_path: Path
) -> None:
    coordinator = Actor("paul", "Paul Dumas", "coordinateur")
    with registry.acting_as(coordinator) as scope:
        registry.actor = Actor("autre", "Quelqu'un d'autre", "secretaire")
        person = add_person(registry, "Marc", "Petit")
    assert scope.entities == {"beneficiary"} and ("beneficiary", person) in scope.ids
    with sqlite3.connect(db_path) as conn:
        who = conn.execute(
            "SELECT user_name FROM audit_event WHERE record_id = ?", (person,)
        ).fetchone()
    assert who == ("Paul Dumas",)


def test_the_demo_registry_refuses_to_enroll_and_to_sync(registry: Registry, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO app_setting(key, value) VALUES ('demo', '1')")
    with pytest.raises(RegistryError, match="démonstration"):
        enroll(registry, "http://127.0.0.1:9", "ABCD-EFGH", "Accueil")
    assert sync_status(registry).enrolled is False
    assert "inscrit" in sync_once(registry).error


def test_the_fast_phone_tokens_equal_the_services_ones() -> None:
    from bippop_desk.registry.phones import phone_search_tokens
    from bippop_desk.registry.remote_values import phone_tokens

    for numbers in (
        ("+33612345678",),
        ("+33344556677", "+33612345678"),
        ("+262692123456",),
        ("+33612345678", "+33612345678"),
        ("", "+4915112345678"),
    ):
        assert phone_tokens(*numbers) == phone_search_tokens(*numbers)


def test_pulled_values_are_stored_as_the_orm_reads_them(registry: Registry) -> None:
    import datetime as dt
    from decimal import Decimal

    from bippop_desk.registry.models import HoursEntry, VolunteerAvailability

    volunteer, hours, slot = new_id(), new_id(), new_id()
    apply_remote(
        registry,
        [
            {"entity": "volunteer", "record_id": volunteer, "op": "upsert", "version": 1,
             "fields": {"first_name": "Léa", "last_name": "Roux", "has_car": True}},
            {"entity": "hours_entry", "record_id": hours, "op": "upsert", "version": 2,
             "fields": {"volunteer_id": volunteer, "entry_date": "2026-11-21", "minutes": 90,
                        "mileage_km": "4.5", "kind": "mission",
                        "created_at": "2026-11-21T18:00:00"}},
            {"entity": "volunteer_availability", "record_id": slot, "op": "upsert",
             "version": 3, "fields": {"volunteer_id": volunteer, "weekday": 1,
                                      "start_time": "09:30:00", "end_time": "11:00:00",
                                      "created_at": "2026-11-21T18:00:00.250000"}},
        ],
    )  # fmt: skip
    with registry.session() as session:
        entry = session.get(HoursEntry, hours)
        free = session.get(VolunteerAvailability, slot)
        assert entry is not None and free is not None
        assert entry.mileage_km == Decimal("4.5") and entry.entry_date == dt.date(2026, 11, 21)
        assert entry.created_at == dt.datetime(2026, 11, 21, 18, 0)
        assert free.start_time == dt.time(9, 30) and free.end_time == dt.time(11, 0)
        assert free.created_at == dt.datetime(2026, 11, 21, 18, 0, 0, 250000)


def test_a_date_conflict_is_shown_the_french_way_and_settled_with_a_typed_value(
    registry: Registry, db_path: Path
) -> None:
    import datetime as dt

    record_id = new_id()
    apply_remote(registry, [person_change(record_id, 3, birth_date="1940-05-01")])
    update_beneficiary(
        registry,
        record_id,
        BeneficiaryInput(first_name="Jeanne", last_name="Moreau", phone="06 12 34 56 78",
                         birth_date=dt.date(1941, 5, 1)),
    )  # fmt: skip
    apply_remote(registry, [person_change(record_id, 9, birth_date="1942-05-01")])
    (conflict,) = list_conflicts(registry)
    assert (conflict.field_label, conflict.local_value, conflict.server_value) == (
        "Date de naissance",
        "01/05/1941",
        "01/05/1942",
    )
    with pytest.raises(RegistryError):
        resolve_conflict(registry, conflict.id, "edit", "le premier mai")
    resolve_conflict(registry, conflict.id, "edit", "02/05/1941")
    assert get_beneficiary(registry, record_id).birth_date == dt.date(1941, 5, 2)
    entity, _record, state, payload = outbox(db_path)[-1]
    sent = json.loads(payload)
    # Based on the server's version of the conflict: the platform takes it without a
    # new conflict.
    assert (entity, state, sent["base_version"]) == ("beneficiary", "pending", 9)
    assert "birth_date" in sent["changed"] and sent["fields"]["birth_date"] == "1941-05-02"


def test_a_record_sent_without_its_timestamps_gets_now(registry: Registry) -> None:
    from bippop_desk.registry.models import HoursEntry, Volunteer

    volunteer, hours = new_id(), new_id()
    apply_remote(
        registry,
        [
            {"entity": "volunteer", "record_id": volunteer, "op": "upsert", "version": 1,
             "fields": {"first_name": "Léa", "last_name": "Roux", "created_at": None}},
            {"entity": "hours_entry", "record_id": hours, "op": "upsert", "version": 2,
             "fields": {"volunteer_id": volunteer, "entry_date": "2026-11-21", "minutes": 30,
                        "created_at": None}},
        ],
    )  # fmt: skip
    with registry.session() as session:
        person, entry = session.get(Volunteer, volunteer), session.get(HoursEntry, hours)
        assert person is not None and entry is not None
        assert person.created_at is not None and person.updated_at is not None
        assert entry.created_at is not None and person.status == "en_attente"
