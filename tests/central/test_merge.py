"""The merge rules of docs/sync-protocol.md, through the real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.central.conftest import Town
from tests.central.helpers import by_id, database_text, pull_all, push
from tests.servers import batch, client, mutation


def test_a_replayed_batch_or_mutation_is_never_applied_twice(town: Town) -> None:
    _device, token = town.enroll()
    first = mutation("partner", name="Secours populaire")
    body = batch(first, mutation("partner", name="Croix-Rouge"))
    with client(town.server, token) as http:
        answer = http.post("/api/v1/push", json=body).json()
        replay = http.post("/api/v1/push", json=body).json()
        assert replay == answer
        again = push(http, first)  # the same mutation id in a new batch
        assert again == [{"mutation_id": first["mutation_id"], "status": "duplicate",
                          "version": answer["results"][0]["version"]}]  # fmt: skip
        assert http.get("/api/v1/status").json()["latest_seq"] == 2
        assert len(pull_all(http)[0]) == 2


def test_a_protected_field_edited_on_two_desks_is_a_conflict(town: Town) -> None:
    _a, token_a = town.enroll("Accueil")
    _b, token_b = town.enroll("CCAS")
    person = mutation("beneficiary", first_name="Jean", last_name="Martin", phone="+33611111111",
                      notes="")  # fmt: skip
    record = person["record_id"]
    with client(town.server, token_a) as desk_a, client(town.server, token_b) as desk_b:
        [created] = push(desk_a, person)
        base = created["version"]
        [by_b] = push(desk_b, mutation("beneficiary", record, base_version=base,
                                       phone="+33622222222"))  # fmt: skip
        assert by_b["status"] == "applied"
        # Desk A had the same base: its phone is refused, its notes still go in.
        [by_a] = push(
            desk_a,
            mutation(
                "beneficiary",
                record,
                base_version=base,
                phone="+33633333333",
                notes="Préfère le matin",
            ),
        )
        assert by_a["status"] == "conflict"
        assert by_a["conflicts"] == {
            "phone": {"server": "+33622222222", "server_version": by_b["version"]}
        }
        assert by_a["version"] > by_b["version"]
        fields = by_id(pull_all(desk_a)[0])[record]["fields"]
    assert fields["phone"] == "+33622222222"
    assert fields["notes"] == "Préfère le matin"


def test_a_desk_editing_its_own_field_twice_is_not_a_conflict(town: Town) -> None:
    _a, token_a = town.enroll()
    person = mutation("beneficiary", first_name="Jean", last_name="Martin", phone="+33611111111")
    with client(town.server, token_a) as http:
        [created] = push(http, person)
        base = created["version"]
        edit = {"base_version": base, "changed": ["phone"]}
        [first] = push(http, {**mutation("beneficiary", person["record_id"], phone="+33622222222"),
                              **edit})  # fmt: skip
        # Not yet acknowledged on the desk: same base, the desk's own second edit.
        [second] = push(http, {**mutation("beneficiary", person["record_id"],
                                          phone="+33633333333"), **edit})  # fmt: skip
    assert first["status"] == second["status"] == "applied"


def test_unprotected_fields_take_the_last_write(town: Town) -> None:
    _a, token_a = town.enroll()
    _b, token_b = town.enroll()
    person = mutation("beneficiary", first_name="Jean", last_name="Martin", notes="un")
    record = person["record_id"]
    with client(town.server, token_a) as desk_a, client(town.server, token_b) as desk_b:
        base = push(desk_a, person)[0]["version"]
        push(desk_b, mutation("beneficiary", record, base_version=base, notes="deux"))
        [late] = push(desk_a, mutation("beneficiary", record, base_version=base, notes="trois"))
        assert late["status"] == "applied"
        assert by_id(pull_all(desk_a)[0])[record]["fields"]["notes"] == "trois"


def test_statuses_only_move_forward(town: Town) -> None:
    _a, token = town.enroll()
    visit = mutation("mission", status="planifiee", starts_at="2026-12-03T14:00:00",
                     ends_at="2026-12-03T15:00:00")  # fmt: skip
    record = visit["record_id"]
    with client(town.server, token) as http:
        base = push(http, visit)[0]["version"]
        push(http, mutation("mission", record, base_version=base, status="realisee"))
        [backwards] = push(http, mutation("mission", record, base_version=base,
                                          status="planifiee", notes="vu"))  # fmt: skip
        # Ignored silently (not a conflict); the other fields still apply.
        assert backwards["status"] == "applied"
        fields = by_id(pull_all(http)[0])[record]["fields"]
        assert fields["status"] == "realisee" and fields["notes"] == "vu"
        # A volunteer may go back and forth between validé and suspendu (the desk's table).
        person = mutation("volunteer", first_name="Ana", last_name="Lopez", status="valide")
        vid = person["record_id"]
        push(http, person)
        push(http, mutation("volunteer", vid, status="suspendu"))
        push(http, mutation("volunteer", vid, status="valide"))
        push(http, mutation("volunteer", vid, status="parti"))
        push(http, mutation("volunteer", vid, status="en_attente"))
        assert by_id(pull_all(http)[0])[vid]["fields"]["status"] == "parti"
        [unknown] = push(http, mutation("mission", record, status="envolee"))
        assert unknown["status"] == "rejected" and "Statut inconnu" in unknown["detail"]


def test_hours_are_insert_only(town: Town) -> None:
    _a, token = town.enroll()
    hours = mutation("hours_entry", minutes=90, entry_date="2026-12-01", kind="mission")
    record = hours["record_id"]
    with client(town.server, token) as http:
        [first] = push(http, hours)
        [same] = push(http, mutation("hours_entry", record, minutes=90, entry_date="2026-12-01",
                                     kind="mission"))  # fmt: skip
        assert same == {"mutation_id": same["mutation_id"], "status": "duplicate",
                        "version": first["version"]}  # fmt: skip
        [other] = push(http, mutation("hours_entry", record, minutes=120,
                                      entry_date="2026-12-01", kind="mission"))  # fmt: skip
        assert other["status"] == "rejected" and "correction" in other["detail"]
        [deleted] = push(http, mutation("hours_entry", record, op="delete"))
        assert deleted["status"] == "rejected"
        assert by_id(pull_all(http)[0])[record]["fields"]["minutes"] == 90


def test_a_deleted_record_stays_deleted(town: Town) -> None:
    _a, token = town.enroll()
    partner = mutation("partner", name="ADMR")
    record = partner["record_id"]
    with client(town.server, token) as http:
        push(http, partner)
        push(http, mutation("partner", record, op="delete", deleted_at="2026-12-02T10:00:00"))
        [late] = push(http, mutation("partner", record, name="ADMR Oise"))
        assert late["status"] == "applied"
        change = by_id(pull_all(http)[0])[record]
    assert change["op"] == "delete"
    assert change["fields"]["deleted_at"] == "2026-12-02T10:00:00"
    assert change["fields"]["name"] == "ADMR Oise"


def test_an_erasure_keeps_no_copy_of_the_old_values(town: Town) -> None:
    _a, token_a = town.enroll()
    _b, token_b = town.enroll()
    person = mutation("beneficiary", first_name="Gisèle", last_name="Quenouille",
                      phone="+33644556677", notes="Fille à Lyon")  # fmt: skip
    record = person["record_id"]
    with client(town.server, token_a) as desk_a, client(town.server, token_b) as desk_b:
        base = push(desk_a, person)[0]["version"]
        # A conflict answer quotes the server's phone: it is stored with the batch.
        push(desk_b, mutation("beneficiary", record, base_version=base, phone="+33699887766"))
        [conflict] = push(desk_a, mutation("beneficiary", record, base_version=base,
                                           phone="+33600000001"))  # fmt: skip
        assert conflict["status"] == "conflict"
        scrubbed = {"first_name": "Effacé", "last_name": "Effacé", "phone": "", "notes": ""}
        [erased] = push(desk_a, mutation("beneficiary", record, op="erase", **scrubbed))
        assert erased["status"] == "applied"
        change = by_id(pull_all(desk_b)[0])[record]
        [revived] = push(desk_b, mutation("beneficiary", record, phone="+33644556677"))
    assert change["op"] == "erase" and change["fields"]["last_name"] == "Effacé"
    assert revived["status"] == "rejected"
    everything = database_text(town.server)
    for old in ("Quenouille", "Gisèle", "+33644556677", "+33699887766", "+33600000001", "Lyon"):
        assert old not in everything, old


def test_bad_items_are_rejected_and_the_rest_applied(town: Town) -> None:
    _a, token = town.enroll()
    good = mutation("partner", name="Les Petits Frères")
    items = [
        mutation("staff_user", login="sophie"),
        mutation("beneficiary", first_name="A", last_name="B", birth_date="31/12/1940"),
        mutation("beneficiary", first_name={"nested": True}, last_name="B"),
        good,
        mutation("partner", good["record_id"], changed=["phone"], name="sans téléphone"),
    ]
    with client(town.server, token) as http:
        results = push(http, *items)
        assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied", "rejected"]
        details = [r.get("detail", "") for r in results]
        assert "non synchronisé" in details[0]
        assert "doit être une date" in details[1]
        assert "doit être un texte" in details[2]
        assert "n'a pas de valeur" in details[4]
        assert list(by_id(pull_all(http)[0])) == [good["record_id"]]


def test_pull_pages_give_each_record_once_at_its_latest_state(town: Town) -> None:
    _a, token = town.enroll()
    partners = [mutation("partner", name=f"Partenaire {i}") for i in range(7)]
    with client(town.server, token) as http:
        push(http, *partners)
        push(http, mutation("partner", partners[0]["record_id"], name="Renommé"))
        changes, cursor = pull_all(http, limit=3)
        assert len(changes) == 7 == len(by_id(changes))
        seqs = [c["seq"] for c in changes]
        assert seqs == sorted(seqs) and cursor == seqs[-1] == 8
        assert by_id(changes)[partners[0]["record_id"]]["fields"]["name"] == "Renommé"
        later, _ = pull_all(http, after=cursor)
        assert later == []
        assert http.get("/api/v1/pull", params={"after": 7}).json()["changes"][0]["seq"] == 8
    assert str(uuid.UUID(changes[0]["record_id"])) == changes[0]["record_id"]


def test_old_batches_are_purged_and_their_replay_stays_harmless(town: Town) -> None:
    from sqlalchemy import select, update

    from bippop_central.models import batch_t, utcnow

    _a, token = town.enroll()
    first = batch(mutation("partner", name="Ancienne association"))
    with client(town.server, token) as http:
        original = http.post("/api/v1/push", json=first).json()["results"][0]
        with town.server.engine().begin() as conn:
            conn.execute(update(batch_t).where(batch_t.c.batch_id == first["batch_id"])
                         .values(created_at=utcnow() - dt.timedelta(days=40)))  # fmt: skip
        for _ in range(2):  # crosses 1,000 changes of the commune: housekeeping runs
            push(http, *(mutation("partner", name=f"P{i}") for i in range(500)))
        with town.server.engine().connect() as conn:
            ids = {row.batch_id for row in conn.execute(select(batch_t.c.batch_id))}
        assert first["batch_id"] not in ids
        replay = http.post("/api/v1/push", json=first).json()["results"][0]
    assert replay == {**original, "status": "duplicate"}
