"""The real server over real HTTP: enroll, push, pull, status, versions, errors."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from pathlib import Path

import httpx
from sqlalchemy import select, update

from bippop_central.app import create_app
from bippop_central.auth import digest
from bippop_central.models import enroll_code_t, utcnow
from tests.central.conftest import Town
from tests.servers import HEADERS, batch, client, mutation


def test_enroll_push_pull_status_round_trip(sqlite_town: Town) -> None:
    device_id = str(uuid.uuid4())
    code = sqlite_town.server.enroll_code(sqlite_town.insee)
    with client(sqlite_town.server) as http:
        answer = http.post("/api/v1/enroll", json={"code": code.lower().replace("-", " "),
                           "device_id": device_id, "device_name": "Accueil mairie"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["commune"] == {
            "insee_code": sqlite_town.insee,
            "name": f"Commune {sqlite_town.insee}",
            "departement": "60",
        }
        assert body["device_id"] == device_id
        # A used code is refused to any other device.
        other = http.post("/api/v1/enroll", json={"code": code, "device_id": str(uuid.uuid4())})
        assert other.status_code == 403
        assert "déjà utilisé" in other.json()["detail"]
    token = body["device_token"]
    person = mutation("beneficiary", first_name="Hélène", last_name="Dupont",
                      phone="+33612345678", commune_id="local-id", name_key="dupont")  # fmt: skip
    with client(sqlite_town.server, token) as http:
        pushed = http.post("/api/v1/push", json=batch(person))
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["results"] == [
            {"mutation_id": person["mutation_id"], "status": "applied", "version": 1}
        ]
        pulled = http.get("/api/v1/pull", params={"after": 0}).json()
        status = http.get("/api/v1/status").json()
    [change] = pulled["changes"]
    assert change["record_id"] == person["record_id"]
    assert change["op"] == "upsert" and change["seq"] == change["version"] == 1
    # The tenant is the token's commune; the desk's local helpers never stored.
    assert change["fields"] == {"first_name": "Hélène", "last_name": "Dupont",
                                "phone": "+33612345678"}  # fmt: skip
    assert change["origin_device"] == device_id
    assert pulled["next_cursor"] == 1 and pulled["has_more"] is False
    assert status["latest_seq"] == 1 and status["device_id"] == device_id


def test_every_response_carries_the_server_time(sqlite_town: Town) -> None:
    with client(sqlite_town.server) as http:
        responses = [http.get("/openapi.json"), http.get("/api/v1/status"), http.get("/nulle-part")]
        responses.append(httpx.get(f"{sqlite_town.server.url}/api/v1/pull"))
        for response in responses:
            stamp = response.headers["X-Bippop-Server-Time"]
            assert stamp.endswith("Z")
            moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            assert abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_old_or_unversioned_client_is_told_to_update(sqlite_town: Town) -> None:
    _device, token = sqlite_town.enroll()
    auth = {"Authorization": f"Bearer {token}"}
    cases = [
        {},  # no version at all
        {"X-Bippop-Protocol": "0", "X-Bippop-Schema": "0008"},
        {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0004"},  # a desk before sync existed
        {"X-Bippop-Protocol": "un", "X-Bippop-Schema": "0008"},
    ]
    for headers in cases:
        response = httpx.get(f"{sqlite_town.server.url}/api/v1/status", headers={**auth, **headers})
        assert response.status_code == 426, headers
        assert "mettez à jour" in response.json()["detail"]
        assert response.json()["min_protocol"] == 1
    # Checked before the token: an old desk with a revoked token still hears "update".
    response = httpx.post(
        f"{sqlite_town.server.url}/api/v1/push", json={}, headers={"X-Bippop-Protocol": "0"}
    )
    assert response.status_code == 426


def test_unknown_and_revoked_tokens_get_401(sqlite_town: Town) -> None:
    device_id, token = sqlite_town.enroll()
    with client(sqlite_town.server, "n'importe-quoi") as http:
        assert http.get("/api/v1/pull").status_code == 401
    with client(sqlite_town.server) as http:
        assert http.get("/api/v1/pull").status_code == 401
    with client(sqlite_town.server, token) as http:
        assert http.get("/api/v1/pull").status_code == 200
        sqlite_town.server.revoke(device_id)
        refused = http.get("/api/v1/pull")
        assert refused.status_code == 401
        assert "révoqué" in refused.json()["detail"]
    # A new code re-enrolls the same device with a new token.
    with client(sqlite_town.server) as http:
        code = sqlite_town.server.enroll_code(sqlite_town.insee)
        fresh = http.post("/api/v1/enroll", json={"code": code, "device_id": device_id})
    assert fresh.status_code == 200
    with client(sqlite_town.server, fresh.json()["device_token"]) as http:
        assert http.get("/api/v1/status").status_code == 200
    with client(sqlite_town.server, token) as http:
        assert http.get("/api/v1/status").status_code == 401


def test_bad_requests_get_french_messages(sqlite_town: Town) -> None:
    _device, token = sqlite_town.enroll()
    with client(sqlite_town.server, token) as http:
        malformed = http.post("/api/v1/push", json={"batch_id": "pas-un-uuid"})
        assert malformed.status_code == 422
        assert malformed.json()["errors"]["batch_id"] == "Identifiant invalide (UUID attendu)."
        assert malformed.json()["errors"]["mutations"] == "Ce champ est obligatoire."
        too_many = batch(*(mutation("partner", name=f"P{i}") for i in range(501)))
        assert http.post("/api/v1/push", json=too_many).status_code == 422
        not_json = http.post("/api/v1/push", content=b"{oops",
                             headers={"Content-Type": "application/json"})  # fmt: skip
        assert not_json.status_code == 422 and "JSON" in not_json.text
        assert http.get("/api/v1/pull", params={"limit": 5000}).status_code == 422
        assert http.get("/ailleurs").json() == {"detail": "Adresse inconnue sur ce serveur."}
        assert http.delete("/api/v1/push").status_code == 405
        huge = http.post("/api/v1/push", content=b"{" + b" " * (17 * 1024 * 1024) + b"}",
                         headers={"Content-Type": "application/json"})  # fmt: skip
        assert huge.status_code == 413
        assert huge.json() == {"detail": "Requête trop volumineuse."}
        assert "X-Bippop-Server-Time" in huge.headers


def test_enroll_code_unknown_or_expired(sqlite_town: Town) -> None:
    server = sqlite_town.server
    expired = server.enroll_code(sqlite_town.insee)
    with server.engine().begin() as conn:  # a week and a day later
        conn.execute(update(enroll_code_t).where(enroll_code_t.c.code_hash == digest(expired))
                     .values(expires_at=utcnow() - dt.timedelta(days=1)))  # fmt: skip
    with client(server) as http:
        for code in ("AAAA-BBBB-CCCC", expired):
            answer = http.post("/api/v1/enroll", json={"code": code,
                                                       "device_id": str(uuid.uuid4())})  # fmt: skip
            assert answer.status_code == 403
            assert answer.json()["detail"] == "Code d'inscription inconnu, déjà utilisé ou expiré."
    # Codes, like tokens, are kept hashed only.
    with server.engine().connect() as conn:
        stored = conn.execute(select(enroll_code_t.c.code_hash)).scalars().all()
    assert expired not in stored and digest(expired) in stored


def test_an_unexpected_error_is_a_french_500_with_the_server_time(tmp_path: Path) -> None:
    with warnings.catch_warnings():  # Starlette's notice about its test client's httpx
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    app = create_app(f"sqlite:///{tmp_path / 'nothing-migrated.sqlite3'}")
    # No tables: the token lookup itself fails, as with a database gone away.
    with TestClient(app, raise_server_exceptions=False) as http:
        response = http.get("/api/v1/status", headers={**HEADERS, "Authorization": "Bearer x"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Erreur interne du serveur : réessayez plus tard."}
    assert response.headers["X-Bippop-Server-Time"].endswith("Z")
