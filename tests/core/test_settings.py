"""Typed local settings, and the audited hourly rates of the valorisation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from bippop_desk.registry.errors import PermissionDeniedError, ValidationError
from bippop_desk.registry.models import AppSetting, AuditEvent, OutboxEntry
from bippop_desk.registry.services.settings import (
    DEFAULT_HOURLY_RATE,
    PSEUDONYMISE_BY_DEFAULT,
    REPORTS_FOLDER,
    get_setting,
    hourly_rates,
    pseudonym_key,
    set_hourly_rate,
    set_setting,
)
from bippop_desk.registry.store import Registry
from tests.core.test_week import COORDINATOR


def rate_audits(registry: Registry) -> list[str]:
    with registry.session() as session:
        query = select(AuditEvent.summary).where(AuditEvent.entity == "app_setting")
        return list(session.scalars(query.order_by(AuditEvent.id)))


def outbox_size(registry: Registry) -> int:
    with registry.session() as session:
        return len(session.scalars(select(OutboxEntry.id)).all())


def test_settings_read_their_declared_default_until_set(registry: Registry) -> None:
    assert get_setting(registry, PSEUDONYMISE_BY_DEFAULT) is False
    assert get_setting(registry, REPORTS_FOLDER) == ""
    set_setting(registry, PSEUDONYMISE_BY_DEFAULT, True)
    set_setting(registry, REPORTS_FOLDER, "/home/mairie/Exports")
    set_setting(registry, REPORTS_FOLDER, "/home/mairie/Rapports")
    assert get_setting(registry, PSEUDONYMISE_BY_DEFAULT) is True
    assert get_setting(registry, REPORTS_FOLDER) == "/home/mairie/Rapports"


def test_the_default_hourly_rate_is_the_2026_smic_with_employer_charges(
    registry: Registry,
) -> None:
    rates = hourly_rates(registry)
    assert DEFAULT_HOURLY_RATE == Decimal("17.43") == rates.rate("visite")
    assert "12,02 €" in rates.source and "SMIC" in rates.source


def test_changing_a_rate_is_audited_but_never_queued_for_the_platform(
    registry: Registry,
) -> None:
    registry.actor = COORDINATOR
    before = outbox_size(registry)
    set_hourly_rate(registry, "visite", Decimal("20.00"))
    set_hourly_rate(registry, None, Decimal("15.5"))
    set_hourly_rate(registry, "visite", Decimal("20.00"))  # unchanged: no new event
    rates = hourly_rates(registry)
    assert rates.rate("visite") == Decimal("20.00")
    assert rates.rate("appel") == Decimal("15.50")
    assert "réglages" in rates.source
    set_hourly_rate(registry, "visite", None)
    assert hourly_rates(registry).rate("visite") == Decimal("15.50")
    assert rate_audits(registry) == [
        "Taux horaire du type « visite » fixé à 20.00 €",
        "Taux horaire par défaut fixé à 15.50 €",
        "Taux horaire du type « visite » remis à la valeur par défaut (était 20.00 €)",
    ]
    assert outbox_size(registry) == before


@pytest.mark.parametrize("rate", [Decimal("-1"), Decimal("1000.01"), Decimal("12.345")])
def test_impossible_rates_are_refused_in_french(registry: Registry, rate: Decimal) -> None:
    registry.actor = COORDINATOR
    with pytest.raises(ValidationError) as caught:
        set_hourly_rate(registry, "visite", rate)
    assert "rate" in caught.value.errors
    assert hourly_rates(registry).rate("visite") == DEFAULT_HOURLY_RATE


def test_a_secretary_cannot_change_the_rates(registry: Registry) -> None:
    with pytest.raises(PermissionDeniedError):
        set_hourly_rate(registry, "visite", Decimal("30"))
    assert rate_audits(registry) == []


def test_an_unreadable_stored_rate_falls_back_to_the_default(registry: Registry) -> None:
    with registry.engine.begin() as conn:
        conn.execute(AppSetting.__table__.insert(), [{"key": "hours.rate.visite", "value": "x"}])
    assert hourly_rates(registry).rate("visite") == DEFAULT_HOURLY_RATE


def test_the_pseudonym_key_is_made_once_and_kept(registry: Registry) -> None:
    first = pseudonym_key(registry)
    assert len(first) == 32 and pseudonym_key(registry) == first
