"""A platform restored from a backup (issue 14): the desks notice, send again what it
lost, read everything anew and say so. A server of its own (its database file is put
back under it), desks syncing over real HTTP."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bippop_central.cli import main as central_cli
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, update_beneficiary
from bippop_desk.registry.services.hours import HoursInput, add_hours
from bippop_desk.registry.services.volunteers import VolunteerInput, create_volunteer
from bippop_desk.sync.credentials import load_token
from bippop_desk.sync.engine import list_conflicts, sync_status
from bippop_desk.sync.state import read_state
from tests.conftest import add_person
from tests.servers import HEADERS, CentralServer, copy_sqlite, start_central
from tests.sync.conftest import Commune, Desk, assert_converged, pending

_INSEE = itertools.count(60701)


@pytest.fixture(scope="module")
def central_own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    server = start_central(f"sqlite:///{tmp_path_factory.mktemp('own') / 'central.sqlite3'}")
    yield server
    server.stop()


@pytest.fixture
def restorable(central_own: CentralServer, tmp_path: Path) -> Iterator[Commune]:
    insee = f"{next(_INSEE):05d}"
    central_own.add_commune(insee, "Commune restaurée", "60")
    commune = Commune(central_own, insee, tmp_path, [])
    yield commune
    for desk in commune.desks:
        desk.registry.close()


def latest_seq(server: CentralServer, desk: Desk) -> int:
    state = read_state(desk.registry)
    headers = {**HEADERS, "Authorization": f"Bearer {load_token(state.device_id)}"}
    answer = httpx.get(f"{server.url}/api/v1/status", headers=headers, timeout=30)
    return int(answer.json()["latest_seq"])


def sign_ups(server: CentralServer, insee: str, count: int) -> None:
    for number in range(count):
        answer = httpx.post(
            f"{server.url}/api/v1/public/communes/{insee}/volunteers",
            json={"first_name": "Paul", "last_name": f"Web {'abcdefghij'[number]}",
                  "email": f"p{number}@example.fr", "phone": f"062200000{number}",
                  "postal_code": "60200", "city": "Compiègne"},
            headers=HEADERS, timeout=30,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text


def people(desk: Desk) -> list[tuple[str, str]]:
    with sqlite3.connect(desk.path) as conn:
        return conn.execute("SELECT id, phone FROM beneficiary ORDER BY id").fetchall()


@pytest.mark.parametrize("operator_step", [True, False])
def test_a_restored_platform_gets_back_what_it_lost_and_no_desk_skips_what_follows(
    restorable: Commune, tmp_path: Path, operator_step: bool
) -> None:
    server = restorable.server
    a, b = restorable.desk("accueil"), restorable.desk("ccas")
    rose = add_person(a.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    a.sync_ok()
    b.sync_ok()
    backup = tmp_path / "sauvegarde.sqlite3"
    copy_sqlite(server.sqlite_file, backup)
    # After the backup: A changes Rose's phone and adds Jean; both acknowledged, pulled by B.
    update_beneficiary(
        a.registry, rose,
        BeneficiaryInput(first_name="Rose", last_name="Lemaire", phone="06 11 11 11 11"),
    )  # fmt: skip
    jean = add_person(a.registry, "Jean", "Moulin")
    a.sync_ok()
    b.sync_ok()
    assert pending(a) == 0
    cursor_before = read_state(b.registry).pull_cursor

    copy_sqlite(backup, server.sqlite_file)  # the platform's database put back
    arrivals = 0
    if operator_step:
        assert central_cli(["--db", server.db_url, "restored"]) == 0
        # New changes on the restored platform take its sequence past the desks' cursors.
        arrivals = cursor_before + 2 - latest_seq(server, b)
        sign_ups(server, restorable.insee, arrivals)
        assert latest_seq(server, b) > cursor_before

    first = b.sync_ok()
    assert any("restaurée depuis une sauvegarde" in w for w in first.warnings)
    second = a.sync_ok()
    assert any(re.search(r"\d+ modifications? de ce poste renvoyée", w) for w in second.warnings)
    assert "restaurée" in sync_status(a.registry).restore_notice
    b.sync_ok()
    a.sync_ok()
    assert dict(people(b)) == {rose: "+33611111111", jean: ""}
    assert_converged(a, b)
    latest = latest_seq(server, a)
    assert read_state(a.registry).pull_cursor == read_state(b.registry).pull_cursor == latest
    if operator_step:
        with sqlite3.connect(b.path) as conn:
            web = conn.execute("SELECT count(*) FROM volunteer WHERE origin = 'en_ligne'")
            assert web.fetchone()[0] == arrivals  # every sign-up reached B


def test_a_desk_asleep_through_two_restores_sends_back_what_only_it_holds(
    restorable: Commune, tmp_path: Path
) -> None:
    """X pulled an online sign-up the first restore lost; new changes and a second
    backup follow, then the second restore: X wakes with versions below the second
    backup point that belong to a lost history. What only X holds goes back."""
    server = restorable.server
    a, x = restorable.desk("accueil"), restorable.desk("ccas")
    a.sync_ok()
    x.sync_ok()
    first, second = tmp_path / "sauvegarde1.sqlite3", tmp_path / "sauvegarde2.sqlite3"
    copy_sqlite(server.sqlite_file, first)
    sign_ups(server, restorable.insee, 1)  # after the first backup; A never sees it
    x.sync_ok()
    copy_sqlite(first, server.sqlite_file)
    assert central_cli(["--db", server.db_url, "restored"]) == 0
    a.sync_ok()
    for number in range(6):  # the restored platform goes on, past X's cursor
        add_person(a.registry, "Nouvelle", f"Personne {'abcdef'[number]}")
    a.sync_ok()
    copy_sqlite(server.sqlite_file, second)
    copy_sqlite(second, server.sqlite_file)
    assert central_cli(["--db", server.db_url, "restored"]) == 0
    x.sync_ok()
    a.sync_ok()
    x.sync_ok()
    late = restorable.desk("controle")
    late.sync_ok()
    assert_converged(x, a, late)
    with sqlite3.connect(late.path) as conn:
        web = conn.execute("SELECT count(*) FROM volunteer WHERE origin = 'en_ligne'")
        assert web.fetchone()[0] == 1


def hours_notes(desk: Desk) -> list[str]:
    with sqlite3.connect(desk.path) as conn:
        return [r[0] for r in conn.execute("SELECT note FROM hours_entry ORDER BY note")]


def test_hours_of_a_desk_that_never_syncs_again_reach_the_restored_platform_from_another(
    restorable: Commune, tmp_path: Path
) -> None:
    """A typed hours after the platform's backup, B pulled them, then A's computer died
    and the platform was put back: B holds the only copy and sends it back. When A comes
    back after all, its own copy is taken as the same entry (nothing refused, nothing
    doubled)."""
    server = restorable.server
    a, b = restorable.desk("accueil"), restorable.desk("ccas")
    vera = create_volunteer(a.registry, VolunteerInput(first_name="Vera", last_name="Blanc"))
    a.sync_ok()
    b.sync_ok()
    backup = tmp_path / "sauvegarde.sqlite3"
    copy_sqlite(server.sqlite_file, backup)
    for note, minutes in (("formation du lundi", 90), ("réunion du mardi", 45)):
        add_hours(
            a.registry,
            HoursInput(volunteer_id=vera, entry_date=dt.date(2026, 12, 1), minutes=minutes,
                       note=note),
        )  # fmt: skip
    a.sync_ok()
    b.sync_ok()
    assert hours_notes(b) == ["formation du lundi", "réunion du mardi"]

    copy_sqlite(backup, server.sqlite_file)
    assert central_cli(["--db", server.db_url, "restored"]) == 0
    b.sync_ok()  # A stays off
    late = restorable.desk("controle")
    late.sync_ok()
    assert hours_notes(late) == ["formation du lundi", "réunion du mardi"]

    back = a.sync_ok()  # A comes back: its hours are already there
    assert back.rejected == 0
    b.sync_ok()
    late.sync_ok()
    assert pending(a) == pending(b) == 0
    assert_converged(a, b, late)
    assert hours_notes(late) == ["formation du lundi", "réunion du mardi"]


def two_desks_and_a_backup(commune: Commune, tmp_path: Path) -> tuple[Desk, Desk, Path]:
    """Desks A and B, synced, and a backup of the platform's database taken then."""
    a, b = commune.desk("accueil"), commune.desk("ccas")
    a.sync_ok()
    b.sync_ok()
    backup = tmp_path / "sauvegarde.sqlite3"
    copy_sqlite(commune.server.sqlite_file, backup)
    return a, b, backup


def set_phone(desk: Desk, person: str, phone: str) -> None:
    with sqlite3.connect(desk.path) as conn:
        first, last = conn.execute(
            "SELECT first_name, last_name FROM beneficiary WHERE id = ?", (person,)
        ).fetchone()
    update_beneficiary(desk.registry, person,
                       BeneficiaryInput(first_name=first, last_name=last, phone=phone))  # fmt: skip


def test_a_creation_sent_again_after_a_restore_never_overwrites_a_number_typed_since(
    restorable: Commune, tmp_path: Path
) -> None:
    """B created Alice after the platform's backup; A pulled her. The backup is put
    back. A syncs first: Alice goes back from A's copy, and A types her number. B, who
    had typed another number meanwhile, sends its creation again: it must not pass over
    A's number unseen (a conflict on B, A's number on the platform)."""
    server = restorable.server
    a, b, backup = two_desks_and_a_backup(restorable, tmp_path)
    alice = add_person(b.registry, "Alice", "Martin")
    b.sync_ok()
    a.sync_ok()
    copy_sqlite(backup, server.sqlite_file)
    assert central_cli(["--db", server.db_url, "restored"]) == 0
    set_phone(b, alice, "06 12 00 09 71")  # B, not synced
    a.sync_ok()
    set_phone(a, alice, "06 12 00 09 72")
    a.sync_ok()

    b.sync_ok()
    late = restorable.desk("controle")
    late.sync_ok()
    assert dict(people(late))[alice] == "+33612000972"
    assert [(c.record_id, c.field) for c in list_conflicts(b.registry)] == [(alice, "phone")]


def test_a_restore_without_the_operators_step_is_caught_by_the_first_desk_for_all(
    restorable: Commune, tmp_path: Path
) -> None:
    """The operator put the backup back and forgot `restored`. A syncs first: its cursor
    is past the platform's sequence, so the platform starts a new epoch itself; A then
    adds people, which take the sequence past B's cursor. B must not skip them."""
    server = restorable.server
    a, b, backup = two_desks_and_a_backup(restorable, tmp_path)
    for number in range(3):
        add_person(a.registry, "Avant", f"Restauration {'abc'[number]}")
    a.sync_ok()
    b.sync_ok()
    copy_sqlite(backup, server.sqlite_file)  # no `bippop-central restored`
    first = a.sync_ok()
    assert any("restaurée depuis une sauvegarde" in w for w in first.warnings)
    for number in range(6):
        add_person(a.registry, "Après", f"Restauration {'abcdef'[number]}")
    a.sync_ok()
    assert latest_seq(server, a) > read_state(b.registry).pull_cursor
    second = b.sync_ok()
    assert any("restaurée depuis une sauvegarde" in w for w in second.warnings)
    a.sync_ok()
    assert len(people(b)) == 9
    assert_converged(a, b)
