"""Two desks change the same protected field at once: the second to sync gets a
conflict instead of a silent overwrite; each way of settling it converges."""

from __future__ import annotations

import pytest

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    get_beneficiary,
    update_beneficiary,
)
from bippop_desk.sync.engine import list_conflicts, resolve_conflict, sync_status
from tests.conftest import add_person
from tests.sync.conftest import Commune, Desk, assert_converged


def edit(desk: Desk, person: str, phone: str, notes: str = "") -> None:
    update_beneficiary(
        desk.registry,
        person,
        BeneficiaryInput(first_name="Rose", last_name="Lemaire", phone=phone, notes=notes),
    )


@pytest.mark.parametrize(
    ("choice", "typed", "expected"),
    [
        ("mine", None, "+33622222222"),
        ("theirs", None, "+33611111111"),
        ("edit", "06 33 33 33 33", "+33633333333"),
    ],
)
def test_a_concurrent_phone_change_is_a_conflict_settled_by_the_staff(
    commune_any: Commune, choice: str, typed: str | None, expected: str
) -> None:
    first, second = commune_any.desk("accueil"), commune_any.desk("ccas")
    person = add_person(first.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    first.sync_ok()
    second.sync_ok()
    edit(first, person, "06 11 11 11 11", notes="vue au marché")
    edit(second, person, "06 22 22 22 22")
    first.sync_ok()
    report = second.sync_ok()
    assert report.conflicts == 1
    # Not overwritten silently: the second desk still shows its own value.
    assert get_beneficiary(second.registry, person).phone == "+33622222222"
    # The unprotected notes from the first desk did arrive.
    assert get_beneficiary(second.registry, person).notes == "vue au marché"
    (conflict,) = list_conflicts(second.registry)
    assert (conflict.record_label, conflict.field_label) == ("Rose Lemaire", "Téléphone")
    assert (conflict.local_value, conflict.server_value) == ("06 22 22 22 22", "06 11 11 11 11")
    assert sync_status(second.registry).open_conflicts == 1

    resolve_conflict(second.registry, conflict.id, choice, typed)
    assert list_conflicts(second.registry) == []
    second.sync_ok()
    first.sync_ok()
    assert get_beneficiary(first.registry, person).phone == expected
    assert get_beneficiary(second.registry, person).phone == expected
    assert list_conflicts(first.registry) == list_conflicts(second.registry) == []
    assert_converged(first, second)


def test_a_typed_value_that_is_not_a_phone_is_refused_in_french(commune: Commune) -> None:
    first, second = commune.desk("accueil"), commune.desk("ccas")
    person = add_person(first.registry, "Rose", "Lemaire", phone="06 00 00 00 00")
    first.sync_ok()
    second.sync_ok()
    edit(first, person, "06 11 11 11 11")
    edit(second, person, "06 22 22 22 22")
    first.sync_ok()
    second.sync_ok()
    (conflict,) = list_conflicts(second.registry)
    with pytest.raises(ValidationError) as refused:
        resolve_conflict(second.registry, conflict.id, "edit", "pas un numéro")
    assert "value" in refused.value.errors
    assert len(list_conflicts(second.registry)) == 1  # nothing half-done
