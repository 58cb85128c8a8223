"""The register rules: who may register whom, consent, acknowledgement, removal."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import PermissionDeniedError, ValidationError
from bippop_desk.registry.models import AuditEvent, OutboxEntry, RegisterEntry
from bippop_desk.registry.services.register import (
    RegisterInput,
    entry_detail,
    mark_acknowledged,
    overdue_acknowledgements,
    register_list,
    register_person,
    remove_entry,
)
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY, add_person
from tests.core.register_helpers import REGISTRAR, add_staff, registered


@pytest.fixture
def clerk(registry: Registry) -> Registry:
    add_staff(registry, REGISTRAR, register=True)
    add_staff(registry, SECRETARY)
    registry.actor = REGISTRAR
    return registry


def test_a_third_party_registers_a_person_with_her_consent(clerk: Registry) -> None:
    person = add_person(clerk, "Hélène", "Martin", birth_date=dt.date(1940, 1, 2))
    entry_id = register_person(
        clerk,
        RegisterInput(
            beneficiary_id=person,
            category="65_ans",
            requested_by="third_party",
            requester_name="Julie Martin",
            requester_quality="sa fille",
            consent=True,
            request_date=local_today() - dt.timedelta(days=2),
            emergency_contact_name="Julie Martin",
            emergency_contact_phone="0612345678",
            lives_alone=True,
        ),
    )
    with clerk.session() as session:
        entry = session.get(RegisterEntry, entry_id)
        outbox = session.scalars(select(OutboxEntry.entity)).all()
    assert entry is not None and entry.requester_quality == "sa fille"
    assert entry.emergency_contact_phone == "+33612345678"
    assert "register_entry" in outbox
    assert [r.name for r in register_list(clerk)] == ["Martin Hélène"]


def test_a_third_party_must_give_name_and_quality_and_consent_is_required(
    clerk: Registry,
) -> None:
    person = add_person(clerk, "Jean", "Petit", birth_date=dt.date(1950, 1, 2))
    with pytest.raises(ValidationError) as error:
        register_person(
            clerk,
            RegisterInput(beneficiary_id=person, category="65_ans", requested_by="third_party"),
        )
    assert set(error.value.errors) == {"requester_name", "requester_quality", "consent"}
    assert "volontaire" in error.value.errors["consent"]


def test_the_category_must_fit_the_age_and_a_disability_needs_its_basis(clerk: Registry) -> None:
    young = add_person(clerk, "Léa", "Jeune", birth_date=dt.date(1990, 3, 3))
    with pytest.raises(ValidationError) as error:
        register_person(clerk, RegisterInput(beneficiary_id=young, category="65_ans", consent=True))
    assert "ans" in error.value.errors["category"]
    with pytest.raises(ValidationError) as error:
        register_person(
            clerk, RegisterInput(beneficiary_id=young, category="handicap", consent=True)
        )
    assert "AAH" in error.value.errors["disability_basis"]
    register_person(
        clerk,
        RegisterInput(
            beneficiary_id=young, category="handicap", disability_basis="aah", consent=True
        ),
    )


def test_a_person_is_registered_once_until_removed(clerk: Registry) -> None:
    entry_id = registered(clerk, "Paul", "Durand")
    with clerk.session() as session:
        person = session.get(RegisterEntry, entry_id).beneficiary_id  # type: ignore[union-attr]
    again = RegisterInput(beneficiary_id=person, category="65_ans", consent=True)
    with pytest.raises(ValidationError, match="déjà inscrit"):
        register_person(clerk, again)
    remove_entry(clerk, entry_id, reason="à sa demande")
    assert register_list(clerk) == []
    register_person(clerk, again)
    assert len(register_list(clerk)) == 1


def test_removal_is_dated_and_refused_twice(clerk: Registry) -> None:
    entry_id = registered(clerk, "Paul", "Durand")
    with pytest.raises(ValidationError):
        remove_entry(clerk, entry_id, local_today() + dt.timedelta(days=1))
    remove_entry(clerk, entry_id)
    with pytest.raises(ValidationError, match="déjà quitté"):
        remove_entry(clerk, entry_id)
    with clerk.session() as session:
        entry = session.get(RegisterEntry, entry_id)
    assert entry is not None and entry.removed_on == local_today()


def test_acknowledgements_are_overdue_after_eight_days(clerk: Registry) -> None:
    late = registered(clerk, "Anne", "Retard")
    fresh = registered(clerk, "Bea", "Recent")
    with clerk.change() as changes:
        entry = changes.session.get(RegisterEntry, late)
        assert entry is not None
        entry.request_date = local_today() - dt.timedelta(days=9)
    overdue = overdue_acknowledgements(clerk)
    assert [r.entry_id for r in overdue] == [late] and overdue[0].ack_overdue
    mark_acknowledged(clerk, late)
    assert overdue_acknowledgements(clerk) == []
    with pytest.raises(ValidationError):
        mark_acknowledged(clerk, fresh, local_today() + dt.timedelta(days=1))


def test_a_secretary_not_named_for_the_register_is_refused_by_the_service(
    clerk: Registry,
) -> None:
    entry_id = registered(clerk, "Paul", "Durand")
    clerk.actor = SECRETARY
    with pytest.raises(PermissionDeniedError, match="registre"):
        register_list(clerk)
    with pytest.raises(PermissionDeniedError):
        entry_detail(clerk, entry_id)
    with clerk.session() as session:
        refusals = session.scalars(select(AuditEvent).where(AuditEvent.action == "refus")).all()
    assert len(refusals) == 2 and refusals[0].user_name == SECRETARY.display_name


def test_every_view_of_the_register_is_journaled(clerk: Registry) -> None:
    entry_id = registered(clerk, "Paul", "Durand")
    register_list(clerk)
    entry_detail(clerk, entry_id)
    with clerk.session() as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "consultation")).all()
    assert [v.record_id for v in views] == ["", entry_id]
    assert all("Durand" not in v.summary for v in views)
