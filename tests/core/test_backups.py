"""Backups with the SQLite backup API: daily copy kept N days, restore after a check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bippop_desk.registry.services.backups import (
    BackupError,
    check_backup,
    daily_backup,
    list_backups,
    restore_backup,
)
from bippop_desk.registry.store import Registry
from tests.conftest import add_person


def _names(path: Path) -> list[str]:
    with Registry(path) as registry, registry.raw() as conn:
        return [r[0] for r in conn.execute("SELECT last_name FROM beneficiary ORDER BY 1")]


def test_one_copy_a_day_and_old_copies_removed(registry: Registry, db_path: Path) -> None:
    add_person(registry, "Anne", "Avant")
    day = dt.datetime(2026, 7, 1, 9, 0)
    first = daily_backup(db_path, keep_days=3, now=day)
    assert first is not None and check_backup(first)
    assert daily_backup(db_path, keep_days=3, now=day.replace(hour=17)) is None
    for later in range(1, 6):
        daily_backup(db_path, keep_days=3, now=day + dt.timedelta(days=later))
    days = sorted(b.taken_at.date() for b in list_backups(db_path) if "quotidienne" in b.path.name)
    assert days[0] == dt.date(2026, 7, 3) and len(days) == 4


def test_restore_brings_back_the_registry_as_it_was(registry: Registry, db_path: Path) -> None:
    add_person(registry, "Anne", "Avant")
    copy = daily_backup(db_path)
    assert copy is not None
    add_person(registry, "Bruno", "Apres")
    registry.close()
    safety = restore_backup(db_path, copy).safety
    assert _names(db_path) == ["Avant"]
    assert _names(safety) == ["Apres", "Avant"]


def test_a_damaged_copy_is_refused_and_the_registry_left_alone(
    registry: Registry, db_path: Path, tmp_path: Path
) -> None:
    add_person(registry, "Anne", "Avant")
    registry.close()
    bad = tmp_path / "sauvegardes" / "registre-quotidienne-20260701-090000.sqlite3"
    bad.parent.mkdir(exist_ok=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    with pytest.raises(BackupError):
        restore_backup(db_path, bad)
    assert _names(db_path) == ["Avant"]


def test_the_app_restores_into_its_open_registry_as_an_administrator(
    registry: Registry, db_path: Path
) -> None:
    from bippop_desk.registry.errors import PermissionDeniedError
    from bippop_desk.registry.services.backups import restore_open_registry
    from tests.conftest import SECRETARY
    from tests.core.register_helpers import ADMIN, add_staff

    add_staff(registry, ADMIN)
    add_person(registry, "Anne", "Avant")
    copy = daily_backup(db_path)
    assert copy is not None
    add_person(registry, "Bruno", "Apres")
    registry.actor = SECRETARY
    with pytest.raises(PermissionDeniedError):
        restore_open_registry(registry, copy)
    registry.actor = ADMIN
    restore_open_registry(registry, copy)
    with registry.raw() as conn:  # the same Registry object, reconnected
        names = [r[0] for r in conn.execute("SELECT last_name FROM beneficiary")]
    assert names == ["Avant"]
    add_person(registry, "Chloe", "Ensuite")  # and it still writes
