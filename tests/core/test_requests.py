"""Logging a request: validation, audit and outbox, statuses that only move forward."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import StatusTransitionError, ValidationError
from bippop_desk.registry.models import AuditEvent, OutboxEntry, Request
from bippop_desk.registry.services.catalogue import PLATFORM_CATALOGUE, list_mission_types
from bippop_desk.registry.services.requests import (
    RequestFilter,
    RequestInput,
    cancel_request,
    create_request,
    move_request,
    request_ids,
    request_rows,
)
from bippop_desk.registry.store import Registry
from tests.conftest import add_person


@pytest.fixture
def visit_type(registry: Registry) -> str:
    return next(t.id for t in list_mission_types(registry) if t.code == "visite")


def test_the_commune_starts_with_the_platforms_catalogue(registry: Registry) -> None:
    labels = [t.label for t in list_mission_types(registry)]
    assert labels == [entry[1] for entry in PLATFORM_CATALOGUE]


def test_a_phone_request_is_saved_with_audit_and_outbox_in_one_transaction(
    registry: Registry, visit_type: str
) -> None:
    person = add_person(registry, "Hélène", "Le Goff")
    tomorrow = local_today() + dt.timedelta(days=1)
    request_id = create_request(
        registry,
        RequestInput(
            person,
            visit_type,
            wished_date=tomorrow,
            wished_time_from=dt.time(14),
            wished_time_to=dt.time(16),
            notes="Se sent seule",
            urgency="urgente",
        ),
    )
    with registry.session() as session:
        request = session.get(Request, request_id)
        audit = session.scalars(select(AuditEvent).where(AuditEvent.record_id == request_id)).one()
        outbox = session.scalars(
            select(OutboxEntry).where(OutboxEntry.record_id == request_id)
        ).one()
    assert request is not None and request.status == "nouvelle"
    assert request.received_by == "Sophie Martin" and request.channel == "telephone"
    assert "Visite de convivialité" in audit.summary
    assert json.loads(outbox.payload)["fields"]["wished_time_from"] == "14:00:00"
    row = request_rows(registry, [request_id])[request_id]
    assert row[1] == "Hélène Le Goff" and row[5] == "Urgente"
    assert row[3].endswith("14:00–16:00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"wished_date": local_today() - dt.timedelta(days=1)}, "wished_date"),
        ({"wished_time_from": dt.time(16), "wished_time_to": dt.time(14)}, "wished_time_to"),
        ({"mission_type_id": ""}, "mission_type_id"),
        ({"beneficiary_id": "nobody"}, "beneficiary_id"),
        ({"recurrence": "hebdomadaire"}, "wished_date"),
    ],
)
def test_bad_requests_are_refused_at_the_field_and_nothing_is_saved(
    registry: Registry, visit_type: str, values: dict[str, object], field: str
) -> None:
    person = add_person(registry, "Hélène", "Le Goff")
    data = RequestInput(person, visit_type)
    for key, value in values.items():
        setattr(data, key, value)
    with pytest.raises(ValidationError) as caught:
        create_request(registry, data)
    assert field in caught.value.errors
    assert request_ids(registry) == []


def test_request_statuses_never_go_back_from_a_finished_state(
    registry: Registry, visit_type: str
) -> None:
    request_id = create_request(registry, RequestInput(add_person(registry, "A", "B"), visit_type))
    cancel_request(registry, request_id, "La famille s'en occupe")
    with pytest.raises(StatusTransitionError), registry.change() as changes:
        request = changes.session.get(Request, request_id)
        assert request is not None
        move_request(changes, request, "en_recherche", "retour")
    with pytest.raises(ValidationError):
        cancel_request(registry, request_id, "  ")


def test_the_request_list_filters_by_status_type_and_date(
    registry: Registry, visit_type: str
) -> None:
    person = add_person(registry, "Hélène", "Le Goff")
    call_type = next(t.id for t in list_mission_types(registry) if t.code == "appel")
    visit = create_request(registry, RequestInput(person, visit_type))
    call = create_request(registry, RequestInput(person, call_type))
    cancel_request(registry, call, "Plus besoin")
    today = local_today()
    assert set(request_ids(registry)) == {visit, call}
    assert request_ids(registry, RequestFilter(status="annulee")) == [call]
    assert request_ids(registry, RequestFilter(mission_type_id=visit_type)) == [visit]
    assert request_ids(registry, RequestFilter(beneficiary_id=person, status="nouvelle")) == [visit]
    assert request_ids(registry, RequestFilter(received_to=today - dt.timedelta(days=2))) == []
