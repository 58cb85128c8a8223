"""The phone desk saves a new caller's file and their request together, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AuditEvent, Beneficiary, OutboxEntry, Request
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.intake import log_phone_request
from bippop_desk.registry.services.requests import RequestInput
from bippop_desk.registry.store import Registry


def table_counts(registry: Registry) -> list[int]:
    with registry.session() as session:
        return [
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Beneficiary, Request, AuditEvent, OutboxEntry)
        ]


@pytest.fixture
def reading_type(registry: Registry) -> str:
    return next(t.id for t in list_mission_types(registry) if t.code == "lecture")


def test_a_new_caller_and_their_request_are_saved_together(
    registry: Registry, reading_type: str
) -> None:
    before = table_counts(registry)
    result = log_phone_request(
        registry,
        RequestInput(mission_type_id=reading_type, notes="Aime Maupassant"),
        BeneficiaryInput("Geneviève", "Lemaître", phone="03 44 55 66 77", has_internet=False),
    )
    assert result.created_beneficiary
    assert table_counts(registry) == [before[0] + 1, before[1] + 1, before[2] + 2, before[3] + 2]
    with registry.session() as session:
        request = session.get(Request, result.request_id)
        assert request is not None and request.beneficiary_id == result.beneficiary_id


def test_a_bad_request_leaves_no_orphan_file_and_reports_every_field(
    registry: Registry, reading_type: str
) -> None:
    before = table_counts(registry)
    yesterday = local_today() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        log_phone_request(
            registry,
            RequestInput(mission_type_id=reading_type, wished_date=yesterday),
            BeneficiaryInput("Geneviève", "", phone="12"),
        )
    assert set(caught.value.errors) == {"person.last_name", "person.phone", "wished_date"}
    assert table_counts(registry) == before


def test_a_valid_person_with_a_bad_request_is_not_saved_either(
    registry: Registry, reading_type: str
) -> None:
    before = table_counts(registry)
    with pytest.raises(ValidationError) as caught:
        log_phone_request(
            registry,
            RequestInput(
                mission_type_id="", wished_time_from=dt.time(15), wished_time_to=dt.time(9)
            ),
            BeneficiaryInput("Geneviève", "Lemaître"),
        )
    assert set(caught.value.errors) == {"mission_type_id", "wished_time_to"}
    assert table_counts(registry) == before
