"""One bad value never freezes a commune: the server refuses, item by item and in
French, what neither PostgreSQL nor a desk's SQLite could store, applies the rest of the
batch, and keeps records and pull pages within a size in bytes. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bippop_central.fields import MAX_PAGE_BYTES, MAX_RECORD_BYTES
from tests.central.conftest import Town
from tests.central.helpers import by_id, pull_all, push
from tests.servers import HEADERS, CentralServer, batch, client, mutation

# (field, the value as raw JSON text): each is a value some database cannot store.
POISONS = [
    ("max_missions_per_week", "NaN"),
    ("max_missions_per_week", "Infinity"),
    ("max_missions_per_week", "-Infinity"),
    ("max_missions_per_week", str(10**30)),
    ("max_missions_per_week", '"douze"'),
    ("max_missions_per_week", "true"),
    ("has_car", '"oui"'),
    ("first_name", '"\\ud800"'),
    ("first_name", '"a\\u0000b"'),
    ("first_name", '"a\\u001bb"'),
    ("first_name", json.dumps("x" * 81)),
    ("first_name", "null"),
    ("first_name", "12"),
    ("birth_date", '"2026-13-45"'),
    ("birth_date", '"31/12/1940"'),
    ("validated_at", '"hier"'),
    ("humeur", "NaN"),
    ("humeur", '"\\udfff"'),
    ("humeur", json.dumps("x" * 30_000)),
]
EXTRAS = [
    '{"mission_type_ids": [{"a": 1}]}',
    '{"mission_type_ids": "abc"}',
    '{"autre": NaN}',
    '{"autre": "\\u0000"}',
    '{"autre": [[[[["profond"]]]]]}',
]


def _raw_push(http: httpx.Client, items: list[dict[str, Any]], swap: dict[str, str]) -> Any:
    """A push whose body is JSON text with placeholders swapped for raw values (NaN,
    lone surrogates: what a careless or hostile client can send)."""
    body = json.dumps(batch(*items))
    for placeholder, raw in swap.items():
        body = body.replace(json.dumps(placeholder), raw)
    response = http.post("/api/v1/push", content=body,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["results"]


@pytest.mark.parametrize(("field", "raw"), POISONS, ids=[f"{f}={r[:12]}" for f, r in POISONS])
def test_a_value_no_database_can_store_is_refused_alone_and_the_batch_applies(
    town: Town, field: str, raw: str
) -> None:
    _device, token = town.enroll()
    before, after = mutation("partner", name="Avant"), mutation("partner", name="Après")
    bad = mutation("volunteer", first_name="Vera", last_name="Blanc")
    bad["fields"][field] = "@POISON@"
    with client(town.server, token) as http:
        results = _raw_push(http, [before, bad, after], {"@POISON@": raw})
        assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
        assert f"« {field} »" in results[1]["detail"]
        changes, cursor = pull_all(http)
        assert set(by_id(changes)) == {before["record_id"], after["record_id"]}
        assert cursor == http.get("/api/v1/status").json()["latest_seq"]


@pytest.mark.parametrize("raw", EXTRAS)
def test_an_extra_no_desk_can_read_is_refused_alone(town: Town, raw: str) -> None:
    _device, token = town.enroll()
    good = mutation("partner", name="Bien")
    bad = mutation("volunteer", first_name="Vera", last_name="Blanc")
    bad["extra"] = "@EXTRA@"
    with client(town.server, token) as http:
        results = _raw_push(http, [bad, good], {"@EXTRA@": raw})
        assert [r["status"] for r in results] == ["rejected", "applied"]
        assert "extra." in results[0]["detail"]


def test_an_edit_with_a_bad_value_leaves_the_record_as_it_was(town: Town) -> None:
    _device, token = town.enroll()
    person = mutation("beneficiary", first_name="Jean", last_name="Martin", notes="")
    with client(town.server, token) as http:
        [created] = push(http, person)
        edit = mutation("beneficiary", person["record_id"], base_version=created["version"],
                        notes="@POISON@", first_name="Jeannot")  # fmt: skip
        [result] = _raw_push(http, [edit], {"@POISON@": '"bip\\u0000"'})
        assert result["status"] == "rejected"
        assert "caractère interdit" in result["detail"]
        fields = by_id(pull_all(http)[0])[person["record_id"]]["fields"]
    assert fields["first_name"] == "Jean" and fields["notes"] == ""


def test_a_record_over_the_size_limit_is_refused_in_french(town: Town) -> None:
    _device, token = town.enroll()
    heavy = "😀" * 20_000  # 80 KB of UTF-8 per note: three of them pass 128 KiB
    big = mutation("beneficiary", first_name="Lourd", last_name="Dossier", notes=heavy,
                   access_notes=heavy, preferences=heavy)  # fmt: skip
    huge = mutation("partner", name="Énorme", notes="x" * 20_001)
    good = mutation("partner", name="Léger")
    with client(town.server, token) as http:
        results = push(http, big, huge, good)
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert "Fiche trop volumineuse" in results[0]["detail"]
    assert str(MAX_RECORD_BYTES // 1024) in results[0]["detail"]
    assert "trop long" in results[1]["detail"]


def test_a_pull_page_stays_under_its_size_in_bytes_and_skips_nothing(town: Town) -> None:
    _device, token = town.enroll()
    note = "é" * 19_000  # ~38 KB of UTF-8 a field, ~114 KB a record
    people = [mutation("beneficiary", first_name=f"P{i}", last_name="Gros", notes=note,
                       access_notes=note, preferences=note) for i in range(60)]  # fmt: skip
    with client(town.server, token) as http:
        for part in range(0, 60, 20):
            assert {r["status"] for r in push(http, *people[part : part + 20])} == {"applied"}
        first = http.get("/api/v1/pull", params={"after": 0, "limit": 1000})
        assert first.json()["has_more"] is True
        assert len(first.content) <= MAX_PAGE_BYTES + MAX_RECORD_BYTES
        changes, cursor = pull_all(http, limit=1000)
    assert [c["record_id"] for c in changes] == [p["record_id"] for p in people]
    assert cursor == 60


# -- a database error on one item ------------------------------------------------------------
_PG_TRIGGER = """
CREATE OR REPLACE FUNCTION test_refuse_row() RETURNS trigger AS $$
BEGIN
  IF NEW.fields::text LIKE '%PANNE-BASE%' THEN
    RAISE EXCEPTION 'valeur refusée par la base (test)';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_refuse_row BEFORE INSERT ON record
  FOR EACH ROW EXECUTE FUNCTION test_refuse_row();
"""
# SQLite: a trigger evaluating abs() of the smallest integer fails with "integer
# overflow", a plain database error (not a constraint) raised by that one row.
_SQLITE_TRIGGER = """
CREATE TRIGGER test_refuse_row BEFORE INSERT ON record
  WHEN NEW.fields LIKE '%PANNE-BASE%'
  BEGIN SELECT abs(-9223372036854775807 - 1); END
"""


@pytest.fixture
def refusing_database(town: Town) -> Iterator[CentralServer]:
    """The server's database refuses any record row whose fields hold PANNE-BASE."""
    engine = town.server.engine()
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(text(_PG_TRIGGER if postgres else _SQLITE_TRIGGER))
    yield town.server
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER test_refuse_row" + (" ON record" if postgres else "")))


def test_a_database_error_on_one_item_rejects_that_item_and_applies_the_rest(
    town: Town, refusing_database: CentralServer
) -> None:
    _device, token = town.enroll()
    items = [mutation("partner", name=f"Partenaire {i}") for i in range(5)]
    items[2]["fields"]["notes"] = "PANNE-BASE"
    edited = mutation("partner", items[0]["record_id"], name="Partenaire 0 bis")
    with client(town.server, token) as http:
        results = push(http, *items, edited)
        assert [r["status"] for r in results] == ["applied"] * 2 + ["rejected"] + ["applied"] * 3
        assert "n'a pas pu enregistrer" in results[2]["detail"]
        # No gap in the sequence: the refused item took no number.
        assert [r["version"] for r in results if "version" in r] == [1, 2, 3, 4, 5]
        changes, cursor = pull_all(http)
        assert cursor == http.get("/api/v1/status").json()["latest_seq"] == 5
    names = sorted(c["fields"]["name"] for c in changes)
    assert names == ["Partenaire 0 bis", "Partenaire 1", "Partenaire 3", "Partenaire 4"]


# -- the public forms share the schema ----------------------------------------------------------
@pytest.mark.parametrize("raw", ['"\\ud800"', '"a\\u0000b"'])
def test_a_public_help_request_with_an_unstorable_text_is_refused_in_french(
    town: Town, raw: str
) -> None:
    _device, token = town.enroll()
    with client(town.server, token) as http:
        push(http, mutation("mission_type", code="visite", label="Visite"))
    form = {"first_name": "Anne", "last_name": "Roy", "phone": "0612345678",
            "mission_type_code": "visite", "notes": "@X@"}  # fmt: skip
    body = json.dumps(form).replace('"@X@"', raw)
    answer = httpx.post(
        f"{town.server.url}/api/v1/public/communes/{town.insee}/requests",
        content=body, headers={**HEADERS, "Content-Type": "application/json"}, timeout=30,
    )  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert "notes" in answer.json()["errors"]
    with client(town.server, token) as http:
        assert [c["entity"] for c in pull_all(http)[0]] == ["mission_type"]
