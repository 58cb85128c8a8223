"""Many communes on one server: a commune's token never reads or writes another's records."""

from __future__ import annotations

import itertools

from tests.central.conftest import Town
from tests.central.helpers import by_id, pull_all, push
from tests.servers import CentralServer, client, mutation

_OTHER = itertools.count(20001)


def other_town(server: CentralServer) -> Town:
    insee = str(next(_OTHER))
    server.add_commune(insee, f"Autre {insee}", "60")
    return Town(server, insee)


def test_a_commune_never_sees_nor_touches_another_communes_records(town: Town) -> None:
    neighbour = other_town(town.server)
    _a, token_a = town.enroll()
    _b, token_b = neighbour.enroll()
    person = mutation("beneficiary", first_name="Jeanne", last_name="Secret", phone="+33612121212")
    record = person["record_id"]
    with client(town.server, token_a) as desk_a, client(town.server, token_b) as desk_b:
        push(desk_a, person)
        assert pull_all(desk_b)[0] == []
        assert desk_b.get("/api/v1/status").json()["latest_seq"] == 0
        # B pushes A's record id (an update and an erasure): rejected, A's record unchanged.
        attempts = push(
            desk_b,
            mutation("beneficiary", record, phone="+33600000000"),
            mutation("beneficiary", record, op="erase", first_name="X", last_name="X"),
            mutation("beneficiary", record, op="delete"),
        )
        assert {r["status"] for r in attempts} == {"rejected"}
        # Answered as any id the platform refuses (here B's own partner id pushed as a
        # person): nothing tells B that the id exists in another commune.
        partner = mutation("partner", name="Banque alimentaire")
        push(desk_b, partner)
        [own] = push(desk_b, mutation("beneficiary", partner["record_id"], last_name="X"))
        assert own["status"] == "rejected"
        assert {r["detail"] for r in attempts} == {own["detail"]}
        assert "commune" not in own["detail"]
        # Replaying A's mutation id from B does not echo A's version, nor say whose it is.
        [replayed] = push(desk_b, person)
        assert replayed["status"] == "rejected" and "commune" not in replayed["detail"]
        [change] = pull_all(desk_a)[0]
        assert change["fields"]["phone"] == "+33612121212" and change["op"] == "upsert"
        assert [c["record_id"] for c in pull_all(desk_b)[0]] == [partner["record_id"]]
        assert desk_b.get("/api/v1/status").json()["commune"]["insee_code"] == neighbour.insee


def test_a_batch_id_of_another_commune_is_refused(town: Town) -> None:
    neighbour = other_town(town.server)
    _a, token_a = town.enroll()
    _b, token_b = neighbour.enroll()
    body = {"batch_id": "6a0c1a56-59a5-4b9c-9a59-3c0ad4a4c1b2", "mutations": [
        mutation("partner", name="Banque alimentaire")]}  # fmt: skip
    with client(town.server, token_a) as desk_a, client(town.server, token_b) as desk_b:
        assert desk_a.post("/api/v1/push", json=body).status_code == 200
        stolen = desk_b.post("/api/v1/push", json=body)
        assert stolen.status_code == 403
        assert "commune" not in stolen.json()["detail"]
        assert pull_all(desk_b)[0] == []


def test_a_public_form_reaches_only_its_commune(town: Town) -> None:
    neighbour = other_town(town.server)
    _a, token_a = town.enroll()
    _b, token_b = neighbour.enroll()
    with client(town.server) as web:
        signup = web.post(
            f"/api/v1/public/communes/{town.insee}/volunteers",
            json={"first_name": "Paul", "last_name": "Durand", "email": "paul@example.fr",
                  "phone": "06 12 34 56 78", "postal_code": "60200", "city": "Compiègne"},
        )  # fmt: skip
    assert signup.status_code == 201, signup.text
    with client(town.server, token_a) as desk_a, client(town.server, token_b) as desk_b:
        assert signup.json()["volunteer_id"] in by_id(pull_all(desk_a)[0])
        assert pull_all(desk_b)[0] == []
