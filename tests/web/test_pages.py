"""The HTML routes over real HTTP (no browser): security headers, CSRF (token and
Origin), honeypot and minimum fill time, the French 429 page, X-Forwarded-For from a
trusted proxy only, the daily quota and its moderation queue seen by the desk."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bippop_central.models import commune_t, record_t
from bippop_central.web.catalogue import set_contact
from bippop_central.web.tables import held_t
from tests.servers import CentralServer, client, start_central
from tests.sync.conftest import Commune
from tests.web.conftest import Town, form_token

HELP = {
    "for_whom": "moi", "first_name": "Odette", "last_name": "Lemoine",
    "phone": "03 44 12 34 56", "address_line": "3 rue Solférino", "postal_code": "60200",
    "city": "Compiègne", "mission_type": "visite", "consent": "oui",
}  # fmt: skip


def web_client(server: CentralServer, **headers: str) -> httpx.Client:
    """A browser-like client: its own cookies, the site's Origin, extra headers
    (X_Forwarded_For="…" is sent as X-Forwarded-For)."""
    sent = {"Origin": server.url, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return httpx.Client(base_url=server.url, headers=sent, timeout=30)


def send(http: httpx.Client, town: Town, form: dict[str, str], *, wait: float = 1.05,
         token: str | None = None) -> httpx.Response:  # fmt: skip
    token = token or form_token(http, f"/communes/{town.insee}/besoin-d-aide")
    time.sleep(wait)  # the minimum fill time of the test server (1 s)
    return http.post(f"/communes/{town.insee}/besoin-d-aide", data={**form, "csrf": token})


def records(server: CentralServer, insee: str, entity: str) -> int:
    with server.engine().connect() as conn:
        commune_id = conn.execute(
            select(commune_t.c.id).where(commune_t.c.insee_code == insee)
        ).scalar_one()
        return int(conn.execute(
            select(func.count()).select_from(record_t)
            .where(record_t.c.commune_id == commune_id, record_t.c.entity == entity)
        ).scalar_one())  # fmt: skip


def test_every_page_carries_the_security_headers(town: Town) -> None:
    with web_client(town.server) as http:
        page = http.get(f"/communes/{town.insee}/aider")
        assert not re.search(r"(src|href)=\"https?://", page.text)  # no third-party asset
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        for path in ("/", f"/communes/{town.insee}/", f"/communes/{town.insee}/aider",
                     "/static/site.css", f"/communes/{town.insee}/espace/"):  # fmt: skip
            answer = http.get(path)
            assert answer.status_code == 200, path
            csp = answer.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "form-action 'self'" in csp
            assert "frame-ancestors 'none'" in csp and "script-src" not in csp
            assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_form_without_its_token_or_from_another_site_is_refused_in_french(town: Town) -> None:
    with web_client(town.server) as http:
        token = form_token(http, f"/communes/{town.insee}/besoin-d-aide")
        time.sleep(1.05)
        url = f"/communes/{town.insee}/besoin-d-aide"
        forged = http.post(url, data={**HELP, "csrf": token[:-4] + "0000"})
        assert forged.status_code == 403 and "Formulaire expiré" in forged.text
        other_site = http.post(url, data={**HELP, "csrf": token},
                               headers={"Origin": "https://pirate.example"})  # fmt: skip
        assert other_site.status_code == 403 and "autre site" in other_site.text
        nowhere = http.post(url, data={**HELP, "csrf": token}, headers={"Origin": ""})
        assert nowhere.status_code == 403
    with web_client(town.server) as other_browser:  # someone else's token, not its cookie
        refused = other_browser.post(url, data={**HELP, "csrf": token})
        assert refused.status_code == 403
    assert records(town.server, town.insee, "request") == 0


def test_a_robot_filling_the_hidden_field_or_sending_at_once_gets_thanks_and_nothing(
    town: Town,
) -> None:
    with web_client(town.server) as http:
        trap = send(http, town, {**HELP, "site_web": "http://spam.example"})
        assert trap.status_code == 303 and "/merci" in trap.headers["location"]
        hasty = send(http, town, HELP, wait=0)
        assert hasty.status_code == 303
    assert records(town.server, town.insee, "request") == 0


def test_a_right_form_is_stored_once_and_a_wrong_one_redisplayed_with_its_values(
    town: Town,
) -> None:
    with web_client(town.server) as http:
        wrong = send(http, town, {**HELP, "postal_code": "6020", "notes": "a\x00b"})
        assert wrong.status_code == 422
        assert 'href="#f-postal_code"' in wrong.text and 'href="#f-notes"' in wrong.text
        assert 'value="Odette"' in wrong.text and 'aria-invalid="true"' in wrong.text
        assert "caractère invisible" in wrong.text
        right = send(http, town, HELP)
        assert right.status_code == 303
    assert records(town.server, town.insee, "request") == 1


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[CentralServer]:
    """A server of its own with tight limits, a quota of 2 a day, and 127.0.0.1 as the
    trusted reverse proxy."""
    env = {"BIPPOP_WEB_LIMITS": "ip=3/600,commune=8/3600,mail=3/3600,space=30/600",
           "BIPPOP_WEB_MIN_FILL_S": "1", "BIPPOP_TRUSTED_PROXIES": "127.0.0.1/32",
           "BIPPOP_WEB_DAILY_QUOTA": "2"}  # fmt: skip
    server = start_central(f"sqlite:///{tmp_path / 'strict.sqlite3'}", env=env)
    yield server
    server.stop()


def strict_town(server: CentralServer, tmp_path: Path) -> Town:
    server.add_commune("60159", "Compiègne", "60")
    set_contact(server.engine(), "60159", phone="03 44 40 72 00")
    commune = Commune(server, "60159", tmp_path, [])
    desk = commune.desk("accueil")
    desk.sync_ok()
    return Town(server, "60159", desk, commune)


def test_rate_limits_answer_a_french_429_and_forwarded_addresses_count_from_the_proxy_only(
    strict: CentralServer, tmp_path: Path
) -> None:
    town = strict_town(strict, tmp_path)
    try:
        with web_client(strict, X_Forwarded_For="203.0.113.7") as http:
            token = form_token(http, f"/communes/{town.insee}/besoin-d-aide")
            answers = [send(http, town, HELP, token=token, wait=0.35).status_code
                       for _ in range(4)]  # fmt: skip
            assert answers[:3] == [303, 303, 303] and answers[3] == 429
            limited = send(http, town, HELP, token=token, wait=0)
            assert limited.status_code == 429 and "Trop d&#39;envois" in limited.text
            assert "03 44 40 72 00" in limited.text and int(limited.headers["retry-after"]) > 0
            # Another address behind the same trusted proxy has its own count.
            other = http.post(f"/communes/{town.insee}/besoin-d-aide",
                              data={**HELP, "csrf": token},
                              headers={"X-Forwarded-For": "198.51.100.9"})  # fmt: skip
            assert other.status_code == 303
    finally:
        town.desk.registry.close()


def test_past_the_daily_quota_submissions_wait_for_the_desk_moderation(
    strict: CentralServer, tmp_path: Path
) -> None:
    town = strict_town(strict, tmp_path)
    try:
        for n in range(4):  # four people, each from their own address
            with web_client(strict, X_Forwarded_For=f"192.0.2.{n + 1}") as http:
                person = {**HELP, "last_name": f"Lemoine-{'abcd'[n]}"}
                assert send(http, town, person).status_code == 303
        assert records(strict, town.insee, "request") == 2  # the quota
        _device, token = strict.enroll(town.insee)
        with client(strict, token) as desk:
            queue = desk.get("/api/v1/moderation").json()
            assert queue["total"] == 2
            held = [h["held_id"] for h in queue["held"]]
            assert [h["kind"] for h in queue["held"]] == ["request", "request"]
            assert "Lemoine-c" in queue["held"][0]["summary"]
            accept = {"action": "accept", "held_ids": held[:1]}
            decided = desk.post("/api/v1/moderation", json=accept).json()
            assert decided == {"results": {held[0]: "accepted"}}
            reject = {"action": "reject", "held_ids": held[1:]}
            rejected = desk.post("/api/v1/moderation", json=reject).json()
            assert rejected == {"results": {held[1]: "rejected"}}
        assert records(strict, town.insee, "request") == 3
        with strict.engine().connect() as conn:
            assert conn.execute(select(func.count()).select_from(held_t)).scalar_one() == 0
    finally:
        town.desk.registry.close()


def test_the_public_json_forms_are_limited_and_held_past_the_quota_too(
    strict: CentralServer, tmp_path: Path
) -> None:
    # The issue's loop: posting the JSON form again and again created records without end.
    town = strict_town(strict, tmp_path)
    request = {"first_name": "Odette", "last_name": "Lemoine", "phone": "03 44 12 34 56",
               "mission_type_code": "visite"}  # fmt: skip
    try:
        with httpx.Client(base_url=strict.url, headers={"X-Bippop-Protocol": "1"}) as api:
            answers = [api.post(f"/api/v1/public/communes/{town.insee}/requests",
                                json=request).status_code for _ in range(10)]  # fmt: skip
        assert answers == [201] * 3 + [429] * 7  # ip=3/600
        assert records(strict, town.insee, "request") == 2  # the quota; the third is held
    finally:
        town.desk.registry.close()


def test_a_mistyped_address_gets_a_french_page(town: Town) -> None:
    answer = httpx.get(f"{town.server.url}/communes/{town.insee}/aide-introuvable")
    assert answer.status_code == 404 and "Page introuvable" in answer.text
    assert answer.headers["content-type"].startswith("text/html")


def test_over_https_the_cookies_are_secure(tmp_path: Path) -> None:
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.private_key_and_cert_chain_pem.write_to_path(str(cert))
    certificate.private_key_pem.write_to_path(str(key))
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    server = start_central(f"sqlite:///{tmp_path / 'tls.sqlite3'}", tls=(str(cert), str(key)))
    try:
        server.add_commune("60159", "Compiègne", "60")
        page = httpx.get(f"{server.url}/communes/60159/aider", verify=str(ca))
        cookie = page.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    finally:
        server.stop()
