"""The client's edges against the real server: TLS with a private authority, an outdated
protocol (426), clock skew, no keyring, a code of another commune, erasure propagation,
and the command line."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import trustme
from keyring.backends.fail import Keyring as NoKeyring

from bippop_desk.cli import main
from bippop_desk.registry.changes import Actor
from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.store import Registry
from bippop_desk.sync import client
from bippop_desk.sync.engine import enroll, sync_once, sync_status
from tests.conftest import add_person
from tests.servers import CentralServer, start_central
from tests.sync.conftest import Commune, assert_converged, pending
from tests.sync.proxy import Proxy


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_central(
    authority: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CentralServer, Path]]:
    """The real server over HTTPS, with a certificate from an authority the test made."""
    folder = tmp_path_factory.mktemp("tls")
    cert = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    authority.cert_pem.write_to_path(str(ca_file))
    server = start_central(
        f"sqlite:///{folder / 'central.sqlite3'}", tls=(str(cert_file), str(key_file))
    )
    server.add_commune("60159", "Compiègne", "60")
    yield server, ca_file
    server.stop()


def new_registry(path: Path, insee: str = "60159") -> Registry:
    registry = Registry(path, Actor("claire", "Claire Petit", "coordinateur"))
    setup_commune(registry, insee, "Compiègne", "60", "60200")
    return registry


def test_tls_is_checked_against_the_private_authority_and_never_skipped(
    tls_central: tuple[CentralServer, Path], tmp_path: Path
) -> None:
    server, ca_file = tls_central
    registry = new_registry(tmp_path / "desk.sqlite3")
    # Without the authority, the certificate cannot be verified: refused, in French.
    with pytest.raises(RegistryError, match="certificat"):
        enroll(registry, server.url, server.enroll_code("60159"), "Accueil")
    with pytest.raises(RegistryError, match="obligatoire"):
        enroll(registry, server.url, server.enroll_code("60159"), "Accueil", verify=False)
    assert not sync_status(registry).enrolled
    enroll(registry, server.url, server.enroll_code("60159"), "Accueil", verify=str(ca_file))
    add_person(registry, "Hélène", "Le Goff")
    report = sync_once(registry)
    assert report.error == "" and report.pushed >= 1
    registry.close()


def test_plain_http_is_refused_off_the_loopback(tmp_path: Path) -> None:
    registry = new_registry(tmp_path / "desk.sqlite3")
    with pytest.raises(RegistryError, match="https"):
        enroll(registry, "http://bippop.example.fr", "ABCD-EFGH-JKLM", "Accueil")
    registry.close()


def test_a_code_of_another_commune_changes_nothing(commune: Commune, tmp_path: Path) -> None:
    registry = new_registry(tmp_path / "desk.sqlite3", insee="60057")
    code = commune.server.enroll_code(commune.insee)
    with pytest.raises(RegistryError, match="rien n'a été changé"):
        enroll(registry, commune.server.url, code, "Accueil")
    assert not sync_status(registry).enrolled
    registry.close()


def test_an_outdated_desk_is_told_to_update_and_keeps_its_queue(
    commune: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = commune.desk("accueil")
    add_person(desk.registry, "Hélène", "Le Goff")
    waiting = pending(desk)
    monkeypatch.setattr(client, "PROTOCOL", 0)
    report = desk.sync()
    assert report.needs_update and "mettez" in report.error.lower()
    assert pending(desk) == waiting
    monkeypatch.setattr(client, "PROTOCOL", 1)
    desk.sync_ok()
    assert pending(desk) == 0


def test_the_clock_offset_is_measured_and_a_large_one_warned(commune: Commune) -> None:
    desk = commune.desk("accueil")
    report = desk.sync_ok()
    assert report.clock_offset_s is not None and abs(report.clock_offset_s) < 5
    assert report.warnings == []
    # The platform's clock ten minutes ahead (a proxy rewrites its time header).
    skewed = Proxy(commune.server.url, clock_shift_s=600).start()
    try:
        late = commune.desk("mairie", via=skewed.url)
        report = late.sync_ok()
    finally:
        skewed.stop()
    assert report.clock_offset_s is not None and 590 < report.clock_offset_s < 610
    assert "minutes" in report.warnings[0]
    assert sync_status(late.registry).clock_offset_s == report.clock_offset_s


def test_without_a_keyring_the_desk_says_so_stores_nothing_and_spends_no_code(
    commune: Commune, tmp_path: Path
) -> None:
    registry = new_registry(tmp_path / "desk.sqlite3", insee=commune.insee)
    working = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    code = commune.server.enroll_code(commune.insee)
    with pytest.raises(RegistryError, match="trousseau"):
        enroll(registry, commune.server.url, code, "A")
    assert not sync_status(registry).enrolled
    # Said before the server was asked: the single-use code still works.
    keyring.set_keyring(working)
    enroll(registry, commune.server.url, code, "A")
    assert sync_status(registry).enrolled
    registry.close()


def test_an_erasure_on_one_desk_reaches_the_others(commune: Commune) -> None:
    from bippop_desk.registry.services.erasure import erase_person

    first, second = commune.desk("accueil"), commune.desk("ccas")
    person = add_person(first.registry, "Gaspard", "Zorglub", phone="06 55 44 33 22")
    first.sync_ok()
    second.sync_ok()
    admin = Actor("admin", "Anne Admin", "administrateur")
    with first.registry.acting_as(admin):
        erase_person(first.registry, "beneficiary", person)
    first.sync_ok()
    second.sync_ok()
    for desk in (first, second):
        with sqlite3.connect(desk.path) as conn:
            row = conn.execute(
                "SELECT last_name, phone, deleted_at FROM beneficiary WHERE id = ?", (person,)
            ).fetchone()
        assert "Zorglub" not in row[0] and row[1] == "" and row[2] is not None
    late = commune.desk("controle")
    late.sync_ok()
    assert_converged(first, second, late)


def test_the_command_line_enrolls_syncs_and_shows_the_status(
    commune: Commune, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.sqlite3"
    registry = new_registry(db, insee=commune.insee)
    add_person(registry, "Hélène", "Le Goff")
    registry.close()
    server = commune.server
    code = server.enroll_code(commune.insee)
    assert main(["enroll", "--db", str(db), "--server", server.url, "--code", code]) == 0
    assert "Poste inscrit" in capsys.readouterr().out
    assert main(["sync", "--db", str(db)]) == 0
    assert "Synchronisé" in capsys.readouterr().out
    assert main(["sync", "--status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Modifications en attente d'envoi : 0" in out and server.url in out
    unenrolled = tmp_path / "autre.sqlite3"
    new_registry(unenrolled, insee=commune.insee).close()
    assert main(["sync", "--db", str(unenrolled)]) == 3
    assert "inscrit" in capsys.readouterr().out


def test_status_counts_are_a_cheap_local_read(commune: Commune) -> None:
    desk = commune.desk("accueil")
    status = sync_status(desk.registry)
    assert status.enrolled and status.pending_count > 0 and status.last_success_at is None
    desk.sync_ok()
    status = sync_status(desk.registry)
    assert status.pending_count == 0 and status.last_success_at is not None
    assert status.last_success_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
