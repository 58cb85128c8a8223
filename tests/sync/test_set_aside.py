"""One bad value never freezes a desk: a pulled record this desk cannot store is set
aside with a French reason and the pull goes on; what no desk could store back never
leaves the desk. Against the real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import uuid
from decimal import Decimal
from typing import Any

import pytest

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import Partner
from bippop_desk.sync.engine import list_set_aside, sync_status
from bippop_desk.sync.state import read_state
from tests.central.helpers import pull_all, push
from tests.conftest import add_person
from tests.servers import client, mutation
from tests.sync.conftest import Commune, Desk, pending, stored_as_is

# entity, the fields as stored, what the reason says, the fields of the corrected record
POISONS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    ("volunteer", {"first_name": "Trop", "last_name": "Grand", "max_missions_per_week": 10**30},
     "trop grand", {"max_missions_per_week": 3}),
    ("beneficiary", {"first_name": None, "last_name": "Sans prénom"}, "obligatoire",
     {"first_name": "Avec"}),
    ("partner", {"name": "Demi\ud800paire"}, "illisible", {"name": "Paire entière"}),
    ("volunteer", {"first_name": "Mot", "last_name": "Nombre", "max_missions_per_week": "douze"},
     "forme attendue", {"max_missions_per_week": 12}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("entity", "fields", "said", "good"), POISONS, ids=["int", "null", "surrogate", "text"]
)
def test_a_pulled_record_the_desk_cannot_store_is_set_aside_and_the_pull_goes_on(
    commune_any: Commune, entity: str, fields: dict[str, Any], said: str, good: dict[str, Any]
) -> None:
    server = commune_any.server
    _observer, token = server.enroll(commune_any.insee, "observateur")
    with client(server, token) as http:
        push(http, mutation("partner", name="Avant"))
    bad = stored_as_is(server, commune_any.insee, entity, fields)
    with client(server, token) as http:
        push(http, mutation("partner", name="Après"))
    desk = commune_any.desk("accueil")
    report = desk.sync()
    assert report.error == "", report.error
    with client(server, token) as http:
        latest = http.get("/api/v1/status").json()["latest_seq"]
    assert read_state(desk.registry).pull_cursor == latest
    with sqlite3.connect(desk.path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM partner")}
    assert {"Avant", "Après"} <= names
    [kept] = list_set_aside(desk.registry)
    assert (kept.entity, kept.record_id) == (entity, bad)
    assert said in kept.reason and "mise de côté" in kept.reason
    assert sync_status(desk.registry).set_aside_count == 1
    # The next syncs go on as usual; a corrected version of the record arrives (made
    # by someone who saw the bad one) and takes the set-aside one's place.
    assert desk.sync().error == ""
    with client(server, token) as http:
        [fixed] = push(http, mutation(entity, bad, base_version=kept.version, **good))
        assert fixed["status"] == "applied", fixed
    assert desk.sync().error == ""
    assert list_set_aside(desk.registry) == []
    with sqlite3.connect(desk.path) as conn:
        assert conn.execute(f"SELECT count(*) FROM {entity} WHERE id = ?", (bad,)).fetchone()[0]


def test_a_value_no_desk_could_store_back_is_refused_at_the_outbox(commune: Commune) -> None:
    desk = commune.desk("accueil")
    with pytest.raises(ValidationError) as raised, desk.registry.change() as changes:
        changes.create(Partner(commune_id=_commune_id(desk), name="Nul\x00part"), "Partenaire")
    assert "name" in raised.value.errors
    assert "ne peut pas être envoyée" in raised.value.errors["name"]
    with sqlite3.connect(desk.path) as conn:  # all or nothing: no record, no outbox entry
        assert conn.execute("SELECT count(*) FROM partner").fetchone()[0] == 0
        assert (
            conn.execute("SELECT count(*) FROM outbox WHERE entity = 'partner'").fetchone()[0] == 0
        )


def _commune_id(desk: Desk) -> str:
    with sqlite3.connect(desk.path) as conn:
        return str(conn.execute("SELECT id FROM commune").fetchone()[0])


@pytest.mark.parametrize(
    "fields",
    [
        '{"name": "Trop", "mileage": NaN}',
        '{"name": "Demi\\ud800"}',
        '{"name": "Grand", "sort": 100000000000000000000000000000}',
    ],
)
def test_an_outbox_entry_no_desk_could_store_back_is_refused_unsent(
    commune: Commune, fields: str
) -> None:
    desk = commune.desk("accueil")
    desk.sync_ok()
    add_person(desk.registry, "Paul", "Envoyé")
    record_id = str(uuid.uuid4())
    with sqlite3.connect(desk.path) as conn:  # as an older version or an import queued it
        conn.execute(
            "INSERT INTO outbox (mutation_id, entity, record_id, op, payload, state, attempts, "
            "last_error, created_at) VALUES (?, 'partner', ?, 'upsert', ?, 'pending', 0, '', "
            "'2026-12-01 10:00:00')",
            (str(uuid.uuid4()), record_id, f'{{"fields": {fields}, "changed": []}}'),
        )
    report = desk.sync()
    assert report.error == "" and report.rejected == 1 and pending(desk) == 0
    with sqlite3.connect(desk.path) as conn:
        state, reason = conn.execute(
            "SELECT state, last_error FROM outbox WHERE record_id = ?", (record_id,)
        ).fetchone()
    assert state == "rejected" and reason.startswith("Non envoyée")
    _device, token = commune.server.enroll(commune.insee, "observateur")
    with client(commune.server, token) as http:
        ids = {c["record_id"] for c in pull_all(http)[0]}
    assert record_id not in ids  # never reached the platform
    assert len(ids) >= 1  # the person did


def test_a_decimal_nan_is_refused_at_the_outbox() -> None:
    from bippop_desk.registry.outgoing import problems

    assert "mileage_km" in problems("mission", {"fields": {"mileage_km": str(Decimal("NaN"))}})
    assert problems("mission", {"fields": {"mileage_km": "12.5"}}) == {}
