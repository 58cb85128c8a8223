"""The platform's public forms: a sign-up and a help request flow down to the desks."""

from __future__ import annotations

from tests.central.conftest import Town
from tests.central.helpers import by_id, pull_all, push
from tests.servers import client, mutation

VOLUNTEER = {
    "first_name": "Paul", "last_name": "Durand", "email": "paul.durand@example.fr",
    "phone": "06 12 34 56 78", "postal_code": "60200", "city": "Compiègne",
    "birth_date": "1961-04-05", "has_car": True, "mission_type_codes": ["courses"],
    "message": "Disponible le mardi",
}  # fmt: skip
REQUEST = {
    "first_name": "Odette", "last_name": "Lemoine", "phone": "03 44 12 34 56",
    "address_line": "3 rue Solférino", "postal_code": "60200", "city": "Compiègne",
    "mission_type_code": "courses", "wished_date": "2026-12-10", "notes": "Pour sa mère",
}  # fmt: skip


def test_an_online_volunteer_signup_comes_down_to_validate(town: Town) -> None:
    _a, token = town.enroll()
    groceries = mutation("mission_type", code="courses", label="Courses")
    with client(town.server, token) as desk:
        push(desk, groceries)
        answer = desk.post(f"/api/v1/public/communes/{town.insee}/volunteers", json=VOLUNTEER)
        assert answer.status_code == 201, answer.text
        change = by_id(pull_all(desk)[0])[answer.json()["volunteer_id"]]
    assert change["entity"] == "volunteer" and change["origin_device"] is None
    fields = change["fields"]
    assert fields["status"] == "en_attente" and fields["origin"] == "en_ligne"
    assert fields["phone"] == "+33612345678" and fields["birth_date"] == "1961-04-05"
    assert fields["has_car"] is True and fields["notes"] == "Disponible le mardi"
    assert change["extra"] == {"mission_type_ids": [groceries["record_id"]]}


def test_an_online_help_request_brings_a_person_and_a_new_request(town: Town) -> None:
    _a, token = town.enroll()
    groceries = mutation("mission_type", code="courses", label="Courses")
    with client(town.server, token) as desk:
        push(desk, groceries)
        answer = desk.post(f"/api/v1/public/communes/{town.insee}/requests", json=REQUEST)
        assert answer.status_code == 201, answer.text
        changes = by_id(pull_all(desk)[0])
    ids = answer.json()
    person, request = changes[ids["beneficiary_id"]], changes[ids["request_id"]]
    assert person["entity"] == "beneficiary"
    assert person["fields"]["last_name"] == "Lemoine"
    assert person["fields"]["phone"] == "+33344123456"
    assert request["entity"] == "request"
    assert request["fields"]["status"] == "nouvelle"
    assert request["fields"]["channel"] == "plateforme"
    assert request["fields"]["beneficiary_id"] == ids["beneficiary_id"]
    assert request["fields"]["mission_type_id"] == groceries["record_id"]
    assert request["fields"]["wished_date"] == "2026-12-10"
    assert person["seq"] < request["seq"]  # the person arrives before the request needing it


def test_public_forms_refuse_bad_input_in_french(town: Town) -> None:
    with client(town.server) as web:
        unknown_town = web.post("/api/v1/public/communes/99999/requests", json=REQUEST)
        assert unknown_town.status_code == 404
        assert "Commune inconnue" in unknown_town.json()["detail"]
        no_type = web.post(f"/api/v1/public/communes/{town.insee}/requests",
                           json={**REQUEST, "mission_type_code": "jardinage"})  # fmt: skip
        assert no_type.status_code == 422
        assert no_type.json()["errors"] == {
            "mission_type_code": "Type d'aide inconnu pour cette commune."
        }
        bad = web.post(
            f"/api/v1/public/communes/{town.insee}/volunteers",
            json={**VOLUNTEER, "phone": "12", "email": "paul", "mission_type_codes": []},
        )
        assert bad.status_code == 422
        assert set(bad.json()["errors"]) == {"phone", "email"}
        assert "numéro de téléphone" in bad.json()["errors"]["phone"]
        missing = web.post(f"/api/v1/public/communes/{town.insee}/volunteers",
                           json={"first_name": "Paul"})  # fmt: skip
        assert missing.status_code == 422
        assert missing.json()["errors"]["last_name"] == "Ce champ est obligatoire."
        old_form = web.post(f"/api/v1/public/communes/{town.insee}/volunteers",
                            json=VOLUNTEER, headers={"X-Bippop-Protocol": ""})  # fmt: skip
        assert old_form.status_code == 426
