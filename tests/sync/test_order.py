"""No edit lost to the order of things (issue 14): a refused change sent again, an
acknowledgement arriving before the pull, against the real server through a proxy."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    get_beneficiary,
    update_beneficiary,
)
from bippop_desk.sync.engine import list_conflicts, list_rejected, retry_rejected
from tests.conftest import add_person
from tests.sync.conftest import FAST_RETRY, Commune, Desk, assert_converged, pending
from tests.sync.proxy import Proxy


@pytest.fixture
def proxy(commune: Commune) -> Iterator[Proxy]:
    started = Proxy(commune.server.url).start()
    yield started
    started.stop()


def edit(desk: Desk, person: str, phone: str, notes: str = "") -> None:
    update_beneficiary(
        desk.registry,
        person,
        BeneficiaryInput(first_name="Rose", last_name="Lemaire", phone=phone, notes=notes),
    )


def server_phone(desk: Desk, person: str) -> str | None:
    desk.sync_ok()
    return get_beneficiary(desk.registry, person).phone


def test_an_acknowledgement_does_not_base_the_next_edit_past_changes_not_pulled(
    commune: Commune, proxy: Proxy
) -> None:
    """B changes the phone; A's push of its notes is acknowledged but its pull fails:
    A's next phone edit has not seen B's and must be a conflict, not an overwrite."""
    a, b = commune.desk("accueil", via=proxy.url), commune.desk("ccas")
    person = add_person(a.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    a.sync_ok()
    b.sync_ok()
    edit(b, person, "06 11 11 11 11")
    b.sync_ok()
    edit(a, person, "06 00 00 00 00", notes="a appelé")
    for _ in range(FAST_RETRY.attempts):
        proxy.plan("/api/v1/pull", "error_before")
    assert a.sync().error  # pushed and acknowledged, not pulled
    proxy.faults.clear()
    assert pending(a) == 0
    edit(a, person, "06 22 22 22 22", notes="a appelé")
    report = a.sync_ok()
    assert report.conflicts == 1
    (conflict,) = list_conflicts(a.registry)
    assert (conflict.local_value, conflict.server_value) == ("06 22 22 22 22", "06 11 11 11 11")
    assert server_phone(b, person) == "+33611111111"  # B's value was not overwritten


def refuse_next_push(proxy: Proxy) -> None:
    proxy.plan("/api/v1/push", "refuse_422")


def test_a_retried_refused_change_never_overwrites_a_newer_one_of_the_same_desk(
    commune: Commune, proxy: Proxy
) -> None:
    """A's first phone edit is refused; A types a newer one, which goes. "Renvoyer" on
    the refused one must not bring the older phone back over the newer one."""
    a, b = commune.desk("accueil", via=proxy.url), commune.desk("ccas")
    person = add_person(a.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    a.sync_ok()
    b.sync_ok()
    edit(a, person, "06 11 11 11 11")
    refuse_next_push(proxy)
    a.sync_ok()
    (refused,) = list_rejected(a.registry)
    edit(a, person, "06 22 22 22 22")
    a.sync_ok()
    with pytest.raises(RegistryError) as why:
        retry_rejected(a.registry, refused.id)
    assert "a changé depuis" in str(why.value)
    a.sync_ok()
    assert server_phone(b, person) == "+33622222222"
    assert get_beneficiary(a.registry, person).phone == "+33622222222"
    assert_converged(a, b)


def test_a_retried_refused_change_never_overwrites_another_desks_newer_one(
    commune: Commune, proxy: Proxy
) -> None:
    a, b = commune.desk("accueil", via=proxy.url), commune.desk("ccas")
    person = add_person(a.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    a.sync_ok()
    b.sync_ok()
    edit(a, person, "06 11 11 11 11")
    refuse_next_push(proxy)
    a.sync_ok()
    (refused,) = list_rejected(a.registry)
    edit(b, person, "06 33 33 33 33")
    b.sync_ok()
    a.sync_ok()  # the pull brings B's phone here
    with pytest.raises(RegistryError):
        retry_rejected(a.registry, refused.id)
    a.sync_ok()
    assert server_phone(b, person) == "+33633333333"
    assert_converged(a, b)


def test_a_retried_refused_change_is_rebased_and_sent_when_nothing_newer_exists(
    commune: Commune, proxy: Proxy
) -> None:
    """The cause fixed, the same change goes: based on the record as pulled now, sent
    after the changes made since (the queue's end), under a new mutation id."""
    a, b = commune.desk("accueil", via=proxy.url), commune.desk("ccas")
    person = add_person(a.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    a.sync_ok()
    b.sync_ok()
    edit(a, person, "06 11 11 11 11")
    refuse_next_push(proxy)
    a.sync_ok()
    (refused,) = list_rejected(a.registry)
    edit(a, person, "06 11 11 11 11", notes="a rappelé")  # another field, later
    retry_rejected(a.registry, refused.id)
    assert list_rejected(a.registry) == []
    with sqlite3.connect(a.path) as conn:
        queue = conn.execute(
            "SELECT mutation_id, json_extract(payload, '$.changed') FROM outbox "
            "WHERE state = 'pending' ORDER BY id"
        ).fetchall()
        old = conn.execute("SELECT 1 FROM outbox WHERE id = ?", (refused.id,)).fetchall()
    assert old == []
    assert len(queue) == 2 and "phone" in queue[-1][1] and "phone" not in queue[0][1]
    report = a.sync_ok()
    assert report.conflicts == 0
    assert server_phone(b, person) == "+33611111111"
    assert get_beneficiary(b.registry, person).notes == "a rappelé"
    assert_converged(a, b)
