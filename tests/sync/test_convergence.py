"""Desks of one commune converge through the real server over real HTTP, on SQLite and
PostgreSQL; the platform's own forms flow down to them."""

from __future__ import annotations

import datetime as dt
import sqlite3

import httpx

from bippop_desk.registry.search import search_people
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    get_beneficiary,
    update_beneficiary,
)
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.sync.engine import sync_status
from tests.conftest import add_person
from tests.servers import HEADERS
from tests.sync.conftest import Commune, assert_converged, pending


def test_three_desks_of_a_commune_converge_through_the_server(commune_any: Commune) -> None:
    town_hall, ccas = commune_any.desk("accueil"), commune_any.desk("ccas")
    helene = add_person(town_hall.registry, "Hélène", "Le Goff", phone="06 12 34 56 78")
    town_hall.sync_ok()
    report = ccas.sync_ok()
    assert report.pulled >= 1 and "beneficiary" in report.entities_changed
    # The second desk adopted the platform's catalogue instead of pushing its own.
    codes = [t.code for t in list_mission_types(ccas.registry)]
    assert len(codes) == len(set(codes))
    assert [hit.id for hit in search_people(ccas.registry, "helene")] == [helene]

    # Each desk changes a different field of the same person, and adds people.
    update_beneficiary(
        ccas.registry,
        helene,
        BeneficiaryInput(first_name="Hélène", last_name="Le Goff", phone="06 12 34 56 78",
                         notes="Préfère les visites le matin"),
    )  # fmt: skip
    update_beneficiary(
        town_hall.registry,
        helene,
        BeneficiaryInput(first_name="Hélène", last_name="Le Goff", phone="06 12 34 56 78",
                         city="Compiègne"),
    )  # fmt: skip
    types = list_mission_types(town_hall.registry)
    create_request(
        town_hall.registry,
        RequestInput(beneficiary_id=helene, mission_type_id=types[0].id,
                     wished_date=dt.date.today() + dt.timedelta(days=3)),
    )  # fmt: skip
    add_person(ccas.registry, "Marcel", "Dupont")
    for desk in (ccas, town_hall, ccas):
        desk.sync_ok()
    late = commune_any.desk("mairie-annexe")
    late.sync_ok()
    person = get_beneficiary(late.registry, helene)
    assert (person.city, person.notes) == ("Compiègne", "Préfère les visites le matin")
    assert_converged(town_hall, ccas, late)
    assert pending(town_hall) == pending(ccas) == pending(late) == 0
    status = sync_status(late.registry)
    assert status.enrolled and status.last_success_at is not None and status.open_conflicts == 0


def test_online_sign_ups_and_requests_flow_down_to_the_desks(commune_any: Commune) -> None:
    desk = commune_any.desk("accueil")
    desk.sync_ok()  # the catalogue reaches the platform: online requests name a type
    server, insee = commune_any.server, commune_any.insee
    code = list_mission_types(desk.registry)[0].code
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as web:
        volunteer = web.post(
            f"/api/v1/public/communes/{insee}/volunteers",
            json={"first_name": "Léa", "last_name": "Martin", "email": "lea@example.fr",
                  "phone": "06 22 33 44 55", "postal_code": "60200", "city": "Compiègne",
                  "mission_type_codes": [code]},
        )  # fmt: skip
        assert volunteer.status_code == 201, volunteer.text
        request = web.post(
            f"/api/v1/public/communes/{insee}/requests",
            json={"first_name": "Paul", "last_name": "Bernard", "phone": "03 44 11 22 33",
                  "mission_type_code": code, "notes": "Courses le jeudi"},
        )  # fmt: skip
        assert request.status_code == 201, request.text
    report = desk.sync_ok()
    assert {"volunteer", "beneficiary", "request"} <= report.entities_changed
    with sqlite3.connect(desk.path) as conn:
        assert conn.execute(
            "SELECT status, origin FROM volunteer WHERE id = ?", (volunteer.json()["volunteer_id"],)
        ).fetchone() == ("en_attente", "en_ligne")
        assert conn.execute(
            "SELECT status, channel, notes FROM request WHERE id = ?",
            (request.json()["request_id"],),
        ).fetchone() == ("nouvelle", "plateforme", "Courses le jeudi")
        offers = conn.execute(
            "SELECT count(*) FROM volunteer_offer WHERE volunteer_id = ?",
            (volunteer.json()["volunteer_id"],),
        ).fetchone()
    assert offers == (1,)
    assert [h.full_name for h in search_people(desk.registry, "0622")] == ["Léa Martin"]
    assert pending(desk) == 0  # received records never travel back
