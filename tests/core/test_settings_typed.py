"""The typed settings place: declared defaults, refused values, audit of what leaves the
town hall, BEGIN IMMEDIATE writes, and versioned upgrades of stored values."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AppSetting, AuditEvent, OutboxEntry
from bippop_desk.registry.services.settings import (
    COMMUNE_ADDRESS,
    SETTINGS,
    SETTINGS_VERSION,
    SILENT_DAYS,
    SYNC_INTERVAL_MINUTES,
    SYNC_SERVER_URL,
    UNMATCHED_DAYS,
    UPGRADES,
    get_setting,
    save_thresholds,
    set_setting,
    set_settings,
    settings_version,
    sync_interval_minutes,
    sync_server_url,
    upgrade_settings,
)
from bippop_desk.registry.store import Registry


def stored(registry: Registry) -> dict[str, str]:
    with registry.session() as session:
        rows = session.execute(select(AppSetting.key, AppSetting.value)).all()
        return {key: value for key, value in rows}


def test_every_setting_is_declared_once_with_a_default_its_own_rules_accept() -> None:
    keys = [setting.key for setting in SETTINGS]
    assert len(keys) == len(set(keys))
    for setting in SETTINGS:
        assert setting.parse(setting.dump(setting.default)) == setting.default
        assert setting.label


def test_sync_defaults_to_no_server_and_five_minutes(registry: Registry) -> None:
    assert sync_server_url(registry) == ""
    assert sync_interval_minutes(registry) == 5
    set_setting(registry, SYNC_SERVER_URL, "https://bippop.example.fr/")
    set_setting(registry, SYNC_INTERVAL_MINUTES, 15)
    assert sync_server_url(registry) == "https://bippop.example.fr"
    assert sync_interval_minutes(registry) == 15


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        (SYNC_SERVER_URL, "http://bippop.example.fr"),  # no TLS to a remote server
        (SYNC_SERVER_URL, "ftp://x"),
        (SYNC_INTERVAL_MINUTES, 0),
        (SYNC_INTERVAL_MINUTES, 100_000),
        (UNMATCHED_DAYS, 400),
        (COMMUNE_ADDRESS, "1 place\x00de la mairie"),
    ],
)
def test_a_refused_value_says_why_in_french_and_writes_nothing(
    registry: Registry, setting: object, value: object
) -> None:
    before = stored(registry)
    with pytest.raises(ValidationError) as error:
        set_setting(registry, setting, value)  # type: ignore[arg-type]
    assert "Valeur refusée" in next(iter(error.value.errors.values()))
    assert stored(registry) == before


def test_several_settings_are_written_all_or_nothing(registry: Registry) -> None:
    with pytest.raises(ValidationError):
        set_settings(registry, {SYNC_INTERVAL_MINUTES: 10, UNMATCHED_DAYS: 0})
    assert get_setting(registry, SYNC_INTERVAL_MINUTES) == 5
    save_thresholds(registry, 12, 45)
    assert (get_setting(registry, UNMATCHED_DAYS), get_setting(registry, SILENT_DAYS)) == (12, 45)


def test_identity_and_server_changes_are_audited_but_never_queued(registry: Registry) -> None:
    with registry.session() as session:
        outbox_before = len(session.scalars(select(OutboxEntry.id)).all())
    changed = set_settings(
        registry,
        {COMMUNE_ADDRESS: "Place de l'Hôtel de Ville", SYNC_SERVER_URL: "https://bp.example.fr"},
    )
    assert sorted(changed) == ["commune.address", "sync.server_url"]
    assert set_settings(registry, {COMMUNE_ADDRESS: "Place de l'Hôtel de Ville"}) == []
    save_thresholds(registry, 9, 30)  # local preferences: not audited
    with registry.session() as session:
        audits = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.entity == "app_setting")
        ).all()
        outbox_after = len(session.scalars(select(OutboxEntry.id)).all())
    assert audits == [
        "Réglage « Adresse de la mairie » modifié",
        "Réglage « Adresse du serveur Bip Pop » modifié",
    ]
    assert outbox_after == outbox_before


def test_settings_writes_take_the_write_lock_at_once(registry: Registry) -> None:
    # BEGIN IMMEDIATE: the app and the CLI queue for the write lock instead of one of
    # them failing half-way through a write.
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(registry.engine, "before_cursor_execute", seen)
    try:
        set_setting(registry, SYNC_INTERVAL_MINUTES, 30)
    finally:
        event.remove(registry.engine, "before_cursor_execute", seen)
    assert statements[0] == "BEGIN IMMEDIATE"
    assert any("app_setting" in statement for statement in statements[1:])


def test_upgrades_run_once_in_order_and_drop_unreadable_values(registry: Registry) -> None:
    with registry.change() as changes:  # an older file: hand-edited values, no version
        changes.session.add(AppSetting(key="sync.interval_minutes", value="cinq"))
        changes.session.add(AppSetting(key="followups.silent_days", value="60"))
    assert settings_version(registry) == 0
    assert upgrade_settings(registry) == SETTINGS_VERSION
    assert "sync.interval_minutes" not in stored(registry)
    assert stored(registry)["followups.silent_days"] == "60"

    ran: list[str] = []

    def step_two(session: Session) -> None:
        ran.append("two")
        session.add(AppSetting(key="marker", value="2"))

    steps = (*UPGRADES, step_two)
    assert upgrade_settings(registry, steps) == SETTINGS_VERSION + 1
    assert upgrade_settings(registry, steps) == SETTINGS_VERSION + 1
    assert ran == ["two"]
    assert stored(registry)["settings.version"] == str(SETTINGS_VERSION + 1)
