"""Faults between a desk and the real server (a misbehaving proxy in between): after the
fault and a clean sync, no change is lost, none is applied twice, and every desk equals
the server (a desk enrolled afterwards, which holds only what the server sent)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import httpx
import pytest

from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, update_beneficiary
from bippop_desk.registry.services.hours import HoursInput, add_hours
from bippop_desk.registry.services.volunteers import VolunteerInput, create_volunteer
from bippop_desk.sync.push import BATCH_SIZE
from tests.conftest import add_person
from tests.sync.conftest import Commune, Desk, assert_converged, pending
from tests.sync.proxy import Proxy

FAULTS = [
    "drop_request",
    "drop_response",
    "error_before",
    "error_after",
    "duplicate",
    "timeout",
    "truncate",
    "replay_later",
]


@pytest.fixture
def proxy(commune: Commune) -> Iterator[Proxy]:
    faulty = Proxy(commune.server.url, timeout_s=1.0).start()
    yield faulty
    faulty.stop()


def some_work(desk: Desk, tag: str) -> None:
    """People, an edit, a volunteer and two hours entries: each kind of outbox entry."""
    person = add_person(desk.registry, f"Albert{tag}", "Durand", phone="06 11 22 33 44")
    add_person(desk.registry, f"Berthe{tag}", "Roux")
    update_beneficiary(
        desk.registry,
        person,
        BeneficiaryInput(first_name=f"Albert{tag}", last_name="Durand",
                         phone="06 11 22 33 44", notes=f"note {tag}"),
    )  # fmt: skip
    volunteer = create_volunteer(
        desk.registry, VolunteerInput(first_name=f"Vera{tag}", last_name="Blanc")
    )
    for minutes in (30, 45):
        add_hours(
            desk.registry,
            HoursInput(volunteer_id=volunteer, entry_date=dt.date.today(), minutes=minutes),
        )


def hours_minutes(desk: Desk) -> tuple[int, int]:
    with sqlite3.connect(desk.path) as conn:
        count, total = conn.execute(
            "SELECT count(*), coalesce(sum(minutes), 0) FROM hours_entry"
        ).fetchone()
    return int(count), int(total)


@pytest.mark.parametrize("where", ["/api/v1/push", "/api/v1/pull"])
@pytest.mark.parametrize("fault", FAULTS)
def test_after_a_fault_and_a_clean_sync_nothing_is_lost_or_doubled(
    commune: Commune, proxy: Proxy, fault: str, where: str
) -> None:
    fault_then_clean_sync(commune, proxy, fault, where)


@pytest.mark.parametrize("fault", ["drop_response", "error_after", "duplicate", "replay_later"])
def test_the_same_on_postgresql(commune_pg: Commune, fault: str) -> None:
    proxy = Proxy(commune_pg.server.url, timeout_s=1.0).start()
    try:
        fault_then_clean_sync(commune_pg, proxy, fault, "/api/v1/push")
    finally:
        proxy.stop()


def fault_then_clean_sync(commune: Commune, proxy: Proxy, fault: str, where: str) -> None:
    desk = commune.desk("accueil", via=proxy.url)
    other = commune.desk("ccas")
    desk.sync_ok()
    other.sync_ok()
    some_work(desk, "A")
    some_work(other, "B")
    other.sync_ok()
    proxy.plan(where, fault)
    desk.sync(timeout=httpx.Timeout(0.5))  # may fail or succeed after its retries
    assert (where, fault) in {(p[1].split("?")[0], p[2]) for p in proxy.seen}
    desk.sync_ok()
    other.sync_ok()
    late = commune.desk("controle")
    late.sync_ok()
    assert pending(desk) == pending(other) == 0
    assert hours_minutes(desk) == hours_minutes(late) == (4, 150)
    assert_converged(desk, other, late)


def test_a_device_revoked_between_two_batches_keeps_its_queue_until_enrolled_again(
    commune: Commune, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bippop_desk.sync import push
    from bippop_desk.sync.engine import enroll
    from bippop_desk.sync.state import read_state

    monkeypatch.setattr(push, "BATCH_SIZE", 3)
    desk = commune.desk("accueil", via=proxy.url)
    desk.sync_ok()
    some_work(desk, "A")
    before = pending(desk)
    device = read_state(desk.registry).device_id
    # The first batch goes through; the device is revoked before the second one.
    proxy.plan("/api/v1/push", "")
    proxy.plan("/api/v1/push", "call", lambda: commune.server.revoke(device))
    report = desk.sync()
    assert report.needs_enroll and "inscrivez" in report.error
    assert 0 < pending(desk) == before - 3
    enroll(desk.registry, proxy.url, commune.server.enroll_code(commune.insee), "accueil")
    desk.sync_ok()
    late = commune.desk("controle")
    late.sync_ok()
    assert pending(desk) == 0 and BATCH_SIZE == 500
    assert_converged(desk, late)
