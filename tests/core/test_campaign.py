"""Call campaigns: the alert, the call list by priority, outcomes, escalation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import PermissionDeniedError, ValidationError
from bippop_desk.registry.models import CallAttempt, MissionType, Request
from bippop_desk.registry.services.campaigns import (
    HelpNeeded,
    active_campaign,
    call_list,
    campaign_progress,
    end_alert,
    record_alert,
    record_call,
)
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY
from tests.core.register_helpers import REGISTRAR, add_staff, registered


@pytest.fixture
def clerk(registry: Registry) -> Registry:
    add_staff(registry, REGISTRAR, register=True)
    registry.actor = REGISTRAR
    return registry


def _type_id(registry: Registry) -> str:
    with registry.session() as session:
        return session.scalars(select(MissionType.id)).first()  # type: ignore[return-value]


def test_an_alert_opens_a_campaign_active_until_its_end(clerk: Registry) -> None:
    assert active_campaign(clerk) is None
    campaign_id = record_alert(clerk, "canicule", local_today())
    active = active_campaign(clerk)
    assert active is not None and active.id == campaign_id and "Canicule" in active.title
    end_alert(clerk, campaign_id, local_today() - dt.timedelta(days=0))
    assert active_campaign(clerk, local_today() + dt.timedelta(days=1)) is None
    with pytest.raises(ValidationError):
        record_alert(clerk, "orage", local_today())
    with pytest.raises(ValidationError):
        record_alert(clerk, "grand_froid", local_today(), local_today() - dt.timedelta(days=1))


def test_the_call_list_puts_people_alone_without_contact_first(clerk: Registry) -> None:
    registered(clerk, "Ana", "Entouree")
    registered(clerk, "Bob", "Seul", alone=True)
    registered(clerk, "Cid", "SeulSansContact", alone=True, contact=False)
    registered(clerk, "Dan", "SansContact", contact=False)
    campaign_id = record_alert(clerk, "canicule", local_today())
    rows = call_list(clerk, campaign_id)
    assert [r.name.split()[0] for r in rows] == [
        "SeulSansContact",
        "Seul",
        "SansContact",
        "Entouree",
    ]
    assert rows[0].reasons == "vit seul·e, sans contact d'urgence"
    assert {r.state for r in rows} == {"a_appeler"}


def test_no_answer_last_time_moves_a_person_up_the_next_campaign(clerk: Registry) -> None:
    first = registered(clerk, "Ana", "Aaa")
    registered(clerk, "Bob", "Bbb")
    silent = registered(clerk, "Zoe", "Zzz")
    old = record_alert(
        clerk,
        "canicule",
        local_today() - dt.timedelta(days=30),
        local_today() - dt.timedelta(days=20),
    )
    with clerk.change() as changes:  # calls made during the last alert
        for entry, outcome in ((first, "ok"), (silent, "pas_de_reponse")):
            changes.create(
                CallAttempt(
                    commune_id=changes.commune_id, campaign_id=old, entry_id=entry, outcome=outcome
                ),
                "Appel",
            )
    new = record_alert(clerk, "canicule", local_today())
    rows = call_list(clerk, new)
    assert rows[0].name == "Zzz Zoe" and "sans réponse la dernière fois" in rows[0].reasons


def test_unanswered_calls_go_to_retry_then_to_a_home_visit(clerk: Registry) -> None:
    entry = registered(clerk, "Ana", "Aaa")
    campaign_id = record_alert(clerk, "canicule", local_today(), max_attempts=2)
    record_call(clerk, campaign_id, entry, "pas_de_reponse")
    assert call_list(clerk, campaign_id)[0].state == "a_rappeler"
    record_call(clerk, campaign_id, entry, "pas_de_reponse")
    row = call_list(clerk, campaign_id)[0]
    assert row.state == "escalade" and row.unanswered == 2
    record_call(clerk, campaign_id, entry, "ok")
    assert call_list(clerk, campaign_id)[0].state == "joint"


def test_need_of_help_creates_the_request_in_the_same_step(clerk: Registry) -> None:
    entry = registered(clerk, "Ana", "Aaa")
    campaign_id = record_alert(clerk, "canicule", local_today())
    with pytest.raises(ValidationError, match="aide"):
        record_call(clerk, campaign_id, entry, "besoin_aide", help_needed=HelpNeeded())
    with clerk.session() as session:
        assert session.scalars(select(Request)).all() == []  # nothing half-written
    attempt_id = record_call(
        clerk,
        campaign_id,
        entry,
        "besoin_aide",
        help_needed=HelpNeeded(_type_id(clerk), "courses d'eau"),
    )
    with clerk.session() as session:
        attempt = session.get(CallAttempt, attempt_id)
        request = session.get(Request, attempt.request_id)  # type: ignore[union-attr]
    assert request is not None and request.urgency == "urgente"
    assert "courses d'eau" in request.notes and request.channel == "telephone"
    progress = campaign_progress(clerk, campaign_id)
    assert progress.total == 1 and progress.counts == {"aide": 1} and progress.done == 1


def test_calls_are_refused_to_staff_not_named_for_the_register(clerk: Registry) -> None:
    entry = registered(clerk, "Ana", "Aaa")
    campaign_id = record_alert(clerk, "canicule", local_today())
    clerk.actor = SECRETARY
    with pytest.raises(PermissionDeniedError):
        call_list(clerk, campaign_id)
    with pytest.raises(PermissionDeniedError):
        record_call(clerk, campaign_id, entry, "ok")
    with pytest.raises(PermissionDeniedError):
        record_alert(clerk, "canicule", local_today())
