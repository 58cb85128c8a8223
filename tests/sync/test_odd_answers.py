"""Odd answers on the way (a proxy, a firewall, a captive portal, a moved address): the
desk never loops, never empties its queue, and says what to check, in French. Through
the fault proxy in front of the real server."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest

from tests.conftest import add_person
from tests.sync.conftest import Commune, Desk, assert_converged, pending
from tests.sync.proxy import Proxy


@pytest.fixture
def proxy(commune: Commune) -> Iterator[Proxy]:
    faulty = Proxy(commune.server.url).start()
    yield faulty
    faulty.stop()


def _desk_with_work(commune: Commune, proxy: Proxy, count: int = 3) -> Desk:
    desk = commune.desk("accueil", via=proxy.url)
    desk.sync_ok()
    for index in range(count):
        add_person(desk.registry, "Personne", "Durand " + "abcdefgh"[index])
    return desk


def _refused(desk: Desk) -> int:
    with sqlite3.connect(desk.path) as conn:
        return int(
            conn.execute("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0]
        )


def _calls(proxy: Proxy, prefix: str) -> int:
    return sum(1 for _method, path, _fault in proxy.seen if path.startswith(prefix))


def test_a_redirect_stops_the_sync_with_a_french_message_and_never_loops(
    commune: Commune, proxy: Proxy
) -> None:
    desk = _desk_with_work(commune, proxy)
    proxy.seen.clear()
    for _ in range(50):  # a proxy that redirects every push
        proxy.plan("/api/v1/push", "answer_302")
    report = desk.sync()
    assert "L'adresse redirige : vérifiez l'adresse de la plateforme" in report.error
    assert _calls(proxy, "/api/v1/push") == 1
    assert pending(desk) == 3 and _refused(desk) == 0
    proxy.faults.clear()
    assert desk.sync_ok().pushed == 3


def test_a_redirect_on_pull_stops_the_sync_too(commune: Commune, proxy: Proxy) -> None:
    desk = _desk_with_work(commune, proxy, count=0)
    proxy.plan("/api/v1/pull", "answer_301")
    report = desk.sync()
    assert "redirige" in report.error
    assert desk.sync_ok().error == ""


@pytest.mark.parametrize("status", [408, 429, 503])
def test_a_busy_answer_is_retried_after_the_wait_asked_and_refuses_nothing(
    commune: Commune, proxy: Proxy, status: int
) -> None:
    desk = _desk_with_work(commune, proxy)
    for _ in range(2):
        proxy.plan("/api/v1/push", f"answer_{status}")
    started = time.monotonic()
    report = desk.sync()
    assert report.error == "", report.error
    assert report.pushed == 3 and report.rejected == 0
    if status != 408:  # Retry-After: 1, honoured twice (the test's own backoff is 50 ms)
        assert time.monotonic() - started >= 2.0
    assert pending(desk) == 0 and _refused(desk) == 0


def test_a_busy_answer_that_lasts_keeps_the_queue_and_says_so(
    commune: Commune, proxy: Proxy
) -> None:
    desk = _desk_with_work(commune, proxy)
    proxy.retry_after = "0"
    proxy.seen.clear()
    for _ in range(20):
        proxy.plan("/api/v1/push", "answer_429")
    report = desk.sync()
    assert "surchargée" in report.error
    assert pending(desk) == 3 and _refused(desk) == 0
    assert _calls(proxy, "/api/v1/push") <= 4, proxy.seen  # the retry policy's attempts


@pytest.mark.parametrize("status", [403, 404, 400, 413, 422])
def test_a_whole_batch_refusal_that_is_not_the_platforms_refuses_nothing(
    commune: Commune, proxy: Proxy, status: int
) -> None:
    desk = _desk_with_work(commune, proxy)
    proxy.seen.clear()
    for _ in range(50):
        proxy.plan("/api/v1/push", f"answer_{status}")
    report = desk.sync()
    assert "Un intermédiaire du réseau" in report.error and f"erreur {status}" in report.error
    assert _calls(proxy, "/api/v1/push") == 1
    assert pending(desk) == 3 and _refused(desk) == 0
    proxy.faults.clear()
    other = commune.desk("controle")
    assert desk.sync_ok().pushed == 3
    other.sync_ok()
    assert_converged(desk, other)


def test_an_empty_answer_to_a_push_stops_instead_of_sending_again_and_again(
    commune: Commune, proxy: Proxy
) -> None:
    desk = _desk_with_work(commune, proxy)
    proxy.seen.clear()
    for _ in range(50):
        proxy.plan("/api/v1/push", "empty_200")
    report = desk.sync()
    assert "sans les résultats" in report.error
    assert _calls(proxy, "/api/v1/push") == 1
    assert pending(desk) == 3 and _refused(desk) == 0


def test_a_forbidden_answer_on_pull_from_a_firewall_stops_the_sync(
    commune: Commune, proxy: Proxy
) -> None:
    desk = _desk_with_work(commune, proxy, count=1)
    proxy.plan("/api/v1/pull", "answer_403")
    report = desk.sync()
    assert "Un intermédiaire du réseau" in report.error
    assert report.needs_enroll is False
    assert desk.sync_ok().error == ""
