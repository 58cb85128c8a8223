"""Retention: silent beneficiaries listed for review, archived or anonymised on
confirmation only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.services.retention import anonymise, archive, review_list
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY, add_person
from tests.core.register_helpers import ADMIN, REGISTRAR, add_staff, registered


def _age(registry: Registry, person_id: str, years: int) -> None:
    old = utcnow() - dt.timedelta(days=365 * years + 5)
    with registry.change() as changes:
        record = changes.session.get(Beneficiary, person_id)
        assert record is not None
        record.created_at = record.updated_at = old


@pytest.fixture
def admin(registry: Registry) -> Registry:
    add_staff(registry, ADMIN)
    add_staff(registry, REGISTRAR, register=True)
    registry.actor = ADMIN
    return registry


def test_only_people_silent_for_two_years_are_listed(admin: Registry) -> None:
    silent = add_person(admin, "Ancien", "Silencieux")
    recent = add_person(admin, "Recent", "Actif")
    _age(admin, silent, 3)
    _age(admin, recent, 1)
    registered_entry = registered(admin, "Inscrit", "Registre")
    with admin.session() as session:
        in_register = session.scalars(
            select(Beneficiary.id).where(Beneficiary.last_name == "Registre")
        ).one()
    _age(admin, in_register, 3)
    assert registered_entry
    rows = review_list(admin)
    assert [r.beneficiary_id for r in rows] == [silent]
    assert rows[0].last_seen < (utcnow() - dt.timedelta(days=730)).date()


def test_archiving_takes_the_file_out_of_the_lists_and_keeps_it(admin: Registry) -> None:
    silent = add_person(admin, "Ancien", "Silencieux")
    _age(admin, silent, 3)
    assert archive(admin, [silent]) == 1
    assert review_list(admin) == []
    with admin.session() as session:
        record = session.get(Beneficiary, silent)
    assert record is not None and record.deleted_at is not None
    assert record.last_name == "Silencieux"


def test_anonymising_erases_the_person(admin: Registry) -> None:
    silent = add_person(admin, "Ancien", "Silencieux")
    _age(admin, silent, 3)
    anonymise(admin, [silent])
    with admin.session() as session:
        record = session.get(Beneficiary, silent)
    assert record is not None and record.last_name == "Personne effacée"


def test_a_secretary_cannot_review_or_archive(admin: Registry) -> None:
    admin.actor = SECRETARY
    with pytest.raises(PermissionDeniedError):
        review_list(admin)
    with pytest.raises(PermissionDeniedError):
        archive(admin, ["x"])
