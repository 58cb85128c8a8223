"""Enrolling through a faulty network (tests/sync/proxy.py) against the real server: a
lost or cut answer never costs the code nor leaves a device no desk holds, a code of
another commune is refused before it is spent, a re-enrolled desk leaves no old device."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bippop_desk.cli import main
from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.store import Registry
from bippop_desk.sync.engine import EnrollUnconfirmed, enroll, sync_status
from bippop_desk.sync.state import read_state
from tests.conftest import add_person
from tests.sync.conftest import (
    COORDINATOR,
    FAST_RETRY,
    Commune,
    active_devices,
    token_works,
    withheld_tokens,
)
from tests.sync.proxy import Proxy

UNCONFIRMED = (
    "l'inscription n'a pas pu être confirmée : réessayez avec le même code dans les 15 minutes"
)


@pytest.fixture
def proxy(commune: Commune) -> Iterator[Proxy]:
    started = Proxy(commune.server.url).start()
    yield started
    started.stop()


def lose_every_answer(proxy: Proxy, fault: str) -> None:
    """More faults than the desk's tries: the enrollment call ends without an answer."""
    for _ in range(FAST_RETRY.attempts):
        proxy.plan("/api/v1/enroll", fault)


@pytest.mark.parametrize("fault", ["drop_response", "truncate"])
def test_a_lost_enroll_answer_is_retried_with_the_same_code_and_leaves_one_device(
    commune: Commune, proxy: Proxy, fault: str
) -> None:
    desk = commune.desk("accueil", enrolled=False)
    code = commune.server.enroll_code(commune.insee)
    lose_every_answer(proxy, fault)
    with pytest.raises(EnrollUnconfirmed) as failed:
        enroll(desk.registry, proxy.url, code, "Accueil", retry=FAST_RETRY)
    assert UNCONFIRMED in str(failed.value).lower()
    assert not sync_status(desk.registry).enrolled
    assert sync_status(desk.registry).enrollment_pending
    lost = withheld_tokens(proxy)
    assert len(lost) == FAST_RETRY.attempts  # the server answered each try
    # The staff try again with the same code, the connection back.
    enroll(desk.registry, proxy.url, code, "Accueil", retry=FAST_RETRY)
    state = read_state(desk.registry)
    assert active_devices(commune.server, commune.insee) == {state.device_id}
    assert not any(token_works(commune.server, token) for token in lost)  # 401
    add_person(desk.registry, "Hélène", "Le Goff")
    assert desk.sync_ok().pushed >= 1
    assert not sync_status(desk.registry).enrollment_pending


@pytest.mark.parametrize("fault", ["drop_response", "truncate", "error_after"])
def test_the_desk_finishes_a_lost_enrollment_by_itself_once_the_platform_answers(
    commune: Commune, proxy: Proxy, fault: str
) -> None:
    desk = commune.desk("accueil", enrolled=False)
    lose_every_answer(proxy, fault)
    with pytest.raises(EnrollUnconfirmed):
        enroll(desk.registry, proxy.url, commune.server.enroll_code(commune.insee), "Accueil",
               retry=FAST_RETRY)  # fmt: skip
    # The next sync (the app's timer, or `bippop-desk sync`) sends it again by itself.
    add_person(desk.registry, "Hélène", "Le Goff")
    report = desk.sync_ok()
    assert report.pushed >= 1
    status = sync_status(desk.registry)
    assert status.enrolled and not status.enrollment_pending
    assert active_devices(commune.server, commune.insee) == {read_state(desk.registry).device_id}
    assert not any(token_works(commune.server, token) for token in withheld_tokens(proxy))


def test_a_late_copy_of_the_enroll_request_that_kills_our_token_is_healed(
    commune: Commune, proxy: Proxy
) -> None:
    desk = commune.desk("accueil", enrolled=False)
    proxy.plan("/api/v1/enroll", "replay_later")  # delivered again after the next call
    enroll(desk.registry, proxy.url, commune.server.enroll_code(commune.insee), "Accueil")
    add_person(desk.registry, "Hélène", "Le Goff")
    report = desk.sync()  # the first call brings the copy: our token is replaced
    assert report.error == "" and report.pushed >= 1, report.error
    assert active_devices(commune.server, commune.insee) == {read_state(desk.registry).device_id}
    assert withheld_tokens(proxy) and not any(
        token_works(commune.server, token) for token in withheld_tokens(proxy)
    )


def test_a_code_of_another_commune_is_refused_unspent_and_creates_no_device(
    commune: Commune, tmp_path: Path
) -> None:
    paris = Registry(tmp_path / "paris.sqlite3", COORDINATOR)
    setup_commune(paris, "75056", "Paris", "75", "75001")
    code = commune.server.enroll_code(commune.insee)
    with pytest.raises(RegistryError, match="rien n'a été changé") as refused:
        enroll(paris, commune.server.url, code, "Accueil")
    assert f"({commune.insee})" in str(refused.value)
    assert not sync_status(paris).enrolled and not sync_status(paris).enrollment_pending
    paris.close()
    assert active_devices(commune.server, commune.insee) == set()
    # The code still enrolls the commune's own desk.
    desk = commune.desk("accueil", enrolled=False)
    enroll(desk.registry, commune.server.url, code, "Accueil")
    desk.sync_ok()


def test_a_desk_enrolled_again_leaves_no_active_device_behind(commune: Commune) -> None:
    desk = commune.desk("accueil")
    desk.sync_ok()
    first = read_state(desk.registry).device_id
    enroll(desk.registry, commune.server.url, commune.server.enroll_code(commune.insee), "A")
    second = read_state(desk.registry).device_id
    assert second != first
    assert active_devices(commune.server, commune.insee) == {second}
    desk.sync_ok()


def test_another_code_after_a_lost_answer_starts_a_new_enrollment(
    commune: Commune, proxy: Proxy
) -> None:
    desk = commune.desk("accueil", enrolled=False)
    lose_every_answer(proxy, "drop_response")
    with pytest.raises(EnrollUnconfirmed):
        enroll(desk.registry, proxy.url, commune.server.enroll_code(commune.insee), "Accueil",
               retry=FAST_RETRY)  # fmt: skip
    orphan = active_devices(commune.server, commune.insee)
    enroll(desk.registry, proxy.url, commune.server.enroll_code(commune.insee), "Accueil")
    mine = read_state(desk.registry).device_id
    # The lost one stays until the operator revokes it (bippop-central device list shows
    # it as never seen a day later); this desk holds the new one.
    assert active_devices(commune.server, commune.insee) == orphan | {mine}
    desk.sync_ok()


def test_the_command_line_says_the_enrollment_is_unconfirmed_and_the_same_code_works(
    commune: Commune, proxy: Proxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.sqlite3"
    registry = Registry(db, COORDINATOR)
    setup_commune(registry, commune.insee, "Commune", "60", "60200")
    registry.close()
    code = commune.server.enroll_code(commune.insee)
    command = ["enroll", "--db", str(db), "--server", proxy.url, "--code", code]
    for _ in range(4):  # the CLI's own tries
        proxy.plan("/api/v1/enroll", "drop_response")
    assert main(command) == 1
    said = capsys.readouterr()
    assert UNCONFIRMED in (said.out + said.err).lower()
    assert "injoignable" not in (said.out + said.err)
    assert main(command) == 0
    assert "Poste inscrit" in capsys.readouterr().out
    assert main(["sync", "--db", str(db)]) == 0
    assert len(active_devices(commune.server, commune.insee)) == 1


def test_a_pending_enrollment_refused_at_its_retry_asks_for_a_new_code(
    commune: Commune, proxy: Proxy
) -> None:
    desk = commune.desk("accueil", enrolled=False)
    lose_every_answer(proxy, "drop_response")
    with pytest.raises(EnrollUnconfirmed):
        enroll(desk.registry, proxy.url, commune.server.enroll_code(commune.insee), "Accueil",
               retry=FAST_RETRY)  # fmt: skip
    [orphan] = active_devices(commune.server, commune.insee)
    commune.server.revoke(orphan)  # the operator cleans up meanwhile: a retry lifts nothing
    report = desk.sync()
    assert report.needs_enroll and "déjà utilisé" in report.error
    status = sync_status(desk.registry)
    assert not status.enrolled and not status.enrollment_pending
    assert active_devices(commune.server, commune.insee) == set()
