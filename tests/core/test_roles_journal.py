"""The journal filters by person, user, record and date, and shows sign-ins,
refusals, exports and views of the register."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.models import AuditEvent, RegisterEntry
from bippop_desk.registry.services.auth import sign_in
from bippop_desk.registry.services.journal import JournalFilter, journal_ids, journal_rows
from bippop_desk.registry.services.register import entry_detail, register_list
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY, add_person
from tests.core.register_helpers import ADMIN, PASSWORD, REGISTRAR, add_staff, registered


def _actions(registry: Registry, filters: JournalFilter) -> list[str]:
    ids = journal_ids(registry, filters)
    rows = journal_rows(registry, ids)
    return [rows[i][2] for i in ids]


def test_the_journal_filters_by_person_user_and_record(registry: Registry) -> None:
    add_staff(registry, ADMIN)
    add_staff(registry, REGISTRAR, register=True)
    add_staff(registry, SECRETARY)
    entry = registered(registry, "Hélène", "Journal")
    add_person(registry, "Autre", "Personne")
    registry.actor = REGISTRAR
    register_list(registry)
    entry_detail(registry, entry)
    registry.actor = SECRETARY
    with pytest.raises(PermissionDeniedError):
        register_list(registry)
    sign_in(registry, "admin", PASSWORD)
    registry.actor = ADMIN
    person = _actions(registry, JournalFilter(person="hélène journal"))
    assert "création" in person and "consultation" in person
    by_user = _actions(registry, JournalFilter(user="Sophie"))
    assert by_user[0] == "action refusée" and "consultation" not in by_user
    assert _actions(registry, JournalFilter(record_id=entry)) == ["consultation", "création"]
    assert "connexion" in _actions(registry, JournalFilter(entity="staff_user"))
    with registry.session() as session:
        person_id = session.get(RegisterEntry, entry).beneficiary_id  # type: ignore[union-attr]
        events = session.scalars(select(AuditEvent.record_id)).all()
    assert person_id in events
