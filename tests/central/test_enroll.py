"""Enrollment on the real server over real HTTP: a lost answer retried with the same
code, a code of another commune, device ids that cannot be taken over, a re-enrolling
desk's previous device, concurrent enrollments, devices never seen again."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import httpx
from sqlalchemy import select, update

from bippop_central.auth import digest
from bippop_central.models import device_t, enroll_code_t, utcnow
from tests.central.conftest import Town
from tests.servers import CentralServer, client


def enroll(
    server: CentralServer, code: str, device_id: str, *, insee: str | None = None,
    previous_token: str | None = None,
) -> httpx.Response:  # fmt: skip
    body: dict[str, Any] = {"code": code, "device_id": device_id, "device_name": "Accueil"}
    if insee:
        body["insee_code"] = insee
    with client(server, previous_token) as http:
        return http.post("/api/v1/enroll", json=body)


def status_code(server: CentralServer, token: str) -> int:
    with client(server, token) as http:
        return http.get("/api/v1/status").status_code


def devices(server: CentralServer, insee: str) -> list[Any]:
    from bippop_central.models import commune_t

    with server.engine().connect() as conn:
        query = (
            select(device_t.c.id, device_t.c.revoked_at)
            .join(commune_t, commune_t.c.id == device_t.c.commune_id)
            .where(commune_t.c.insee_code == insee)
        )
        return list(conn.execute(query))


def code_used(server: CentralServer, code: str) -> bool:
    with server.engine().connect() as conn:
        used = conn.execute(
            select(enroll_code_t.c.used_at).where(enroll_code_t.c.code_hash == digest(code))
        ).scalar_one()
    return used is not None


def test_the_same_device_retrying_its_code_gets_a_new_token_and_the_first_one_dies(
    sqlite_town: Town,
) -> None:
    server, device_id = sqlite_town.server, str(uuid.uuid4())
    code = server.enroll_code(sqlite_town.insee)
    first = enroll(server, code, device_id, insee=sqlite_town.insee)
    retried = enroll(server, code, device_id, insee=sqlite_town.insee)  # first answer lost
    assert first.status_code == retried.status_code == 200, retried.text
    assert retried.json()["device_token"] != first.json()["device_token"]
    assert status_code(server, first.json()["device_token"]) == 401
    assert status_code(server, retried.json()["device_token"]) == 200
    assert [row.id for row in devices(server, sqlite_town.insee)] == [device_id]
    # Any other device is refused the used code, as before.
    assert enroll(server, code, str(uuid.uuid4())).status_code == 403


def test_a_retry_after_15_minutes_or_after_a_revocation_is_refused(sqlite_town: Town) -> None:
    server = sqlite_town.server
    late_device, revoked_device = str(uuid.uuid4()), str(uuid.uuid4())
    late_code, revoked_code = (
        server.enroll_code(sqlite_town.insee),
        server.enroll_code(sqlite_town.insee),
    )
    assert enroll(server, late_code, late_device).status_code == 200
    assert enroll(server, revoked_code, revoked_device).status_code == 200
    with server.engine().begin() as conn:
        conn.execute(update(enroll_code_t).where(enroll_code_t.c.code_hash == digest(late_code))
                     .values(used_at=utcnow() - dt.timedelta(minutes=16)))  # fmt: skip
    server.revoke(revoked_device)
    for code, device_id in ((late_code, late_device), (revoked_code, revoked_device)):
        refused = enroll(server, code, device_id)
        assert refused.status_code == 403
        assert "déjà utilisé" in refused.json()["detail"]
    assert [row.revoked_at is None for row in devices(server, sqlite_town.insee)].count(True) == 1


def test_a_code_of_another_commune_is_refused_unspent_and_creates_no_device(town: Town) -> None:
    server = town.server
    code = server.enroll_code(town.insee)
    stranger = str(uuid.uuid4())
    refused = enroll(server, code, stranger, insee="75056")
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert f"commune Commune {town.insee} ({town.insee})" in detail and "75056" in detail
    assert "n'a pas été utilisé" in detail
    assert not code_used(server, code) and devices(server, town.insee) == []
    # The commune's own desk then enrolls with it.
    assert enroll(server, code, str(uuid.uuid4()), insee=town.insee).status_code == 200


def test_an_active_device_id_cannot_be_taken_over_with_a_new_code(town: Town) -> None:
    server = town.server
    victim, victim_token = town.enroll()  # its id is visible to the commune (origin_device)
    code = server.enroll_code(town.insee)
    taken = enroll(server, code, victim)
    assert taken.status_code == 403
    assert "déjà inscrit" in taken.json()["detail"]
    assert status_code(server, victim_token) == 200
    assert not code_used(server, code)
    # A device of another commune gets the very same answer: nothing tells where it is.
    other = str(90000 + int(town.insee) % 1000)
    server.add_commune(other, f"Autre {other}", "60")
    elsewhere = enroll(server, server.enroll_code(other), victim)
    assert elsewhere.status_code == 403 and elsewhere.json() == taken.json()


def test_a_re_enrolling_desk_sending_its_previous_token_revokes_its_previous_device(
    town: Town,
) -> None:
    server = town.server
    old_device, old_token = town.enroll()
    bystander, bystander_token = town.enroll()
    new_device = str(uuid.uuid4())
    answer = enroll(server, server.enroll_code(town.insee), new_device, insee=town.insee,
                    previous_token=old_token)  # fmt: skip
    assert answer.status_code == 200
    states = {row.id: row.revoked_at is None for row in devices(server, town.insee)}
    assert states == {old_device: False, bystander: True, new_device: True}
    assert status_code(server, old_token) == 401
    assert status_code(server, bystander_token) == 200


def _at_once(count: int, work: Any) -> list[httpx.Response]:
    """`count` requests released together by a barrier, each on its own thread."""
    barrier = threading.Barrier(count)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        answer = work(index)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_enrollments_of_one_new_device_id_at_once_never_give_a_500(town: Town) -> None:
    server, device_id = town.server, str(uuid.uuid4())
    codes = [server.enroll_code(town.insee) for _ in range(8)]
    answers = _at_once(8, lambda i: enroll(server, codes[i], device_id))
    statuses = sorted(a.status_code for a in answers)
    assert 500 not in statuses, [a.text for a in answers]
    assert statuses == [200] + [403] * 7, [a.text for a in answers]
    assert sum(code_used(server, code) for code in codes) == 1  # the refused ones unspent
    assert [row.id for row in devices(server, town.insee)] == [device_id]
    # The same code sent at once by one device (retries racing): one device, and only
    # the token of the last enrollment to commit still works.
    again, code = str(uuid.uuid4()), server.enroll_code(town.insee)
    answers = _at_once(6, lambda _i: enroll(server, code, again))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    working = [a for a in answers if status_code(server, a.json()["device_token"]) == 200]
    assert len(working) == 1
    assert sorted(row.id for row in devices(server, town.insee)) == sorted([device_id, again])
