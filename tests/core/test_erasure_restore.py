"""An erased person does not come back with a restored backup (issue 18): erasures are
noted outside the registry file and re-applied on the restored copy before it is used;
copies older than BACKUP_DAYS are deleted at the next start."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bippop_desk.cli import main
from bippop_desk.cli.auth import password_key
from bippop_desk.registry.erasure_list import list_path, note_erasure, read_erasures
from bippop_desk.registry.models import Beneficiary, OutboxEntry
from bippop_desk.registry.services import backups
from bippop_desk.registry.services.backups import BACKUP_DAYS, list_backups, take_backup
from bippop_desk.registry.services.erasure import erase_person
from bippop_desk.registry.store import Registry
from bippop_desk.secrets import set_secret
from tests.conftest import add_person
from tests.core.register_helpers import ADMIN, PASSWORD, add_staff

SECRETS = ["Quaglioni", "Zéphyrine", "612987654", "Glycines"]


def _found(path: Path) -> list[str]:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    data += wal.read_bytes() if wal.exists() else b""
    return [s for s in SECRETS if s.encode() in data or s.encode("utf-16-le") in data]


@pytest.fixture
def erased_after_copy(registry: Registry, db_path: Path) -> tuple[str, Path]:
    """A person with a note, a copy taken, then the person erased."""
    add_staff(registry, ADMIN)
    person = add_person(
        registry,
        "Zéphyrine",
        "Quaglioni",
        phone="06 12 98 76 54",
        address_line="3 Rue des Glycines",
        notes="Mme Quaglioni préfère être appelée le matin",
    )
    copy = take_backup(db_path)
    assert _found(copy)  # the copy holds her: that is the danger
    registry.actor = ADMIN
    erase_person(registry, "beneficiary", person)
    assert _found(db_path) == []
    return person, copy


def test_restoring_a_copy_taken_before_an_erasure_erases_again(
    registry: Registry, db_path: Path, erased_after_copy: tuple[str, Path]
) -> None:
    # Failed on main before the fix: the restored file held "Quaglioni" and the rest.
    person, copy = erased_after_copy
    registry.close()
    result = backups.restore_backup(db_path, copy, ADMIN)
    assert _found(db_path) == []
    assert result.reapplied == 1
    with Registry(db_path) as reopened, reopened.session() as session:
        record = session.get(Beneficiary, person)
        assert record is not None and record.deleted_at is not None
        queued = session.scalars(
            select(OutboxEntry.op).where(
                OutboxEntry.record_id == person, OutboxEntry.state == "pending"
            )
        ).all()
    # The platform hears the erasure again (the copy's queue predates it), nothing else.
    assert list(queued) == ["erase"]
    # A second restore of the same copy erases again; restoring an erased file, nothing.
    assert backups.restore_backup(db_path, copy, ADMIN).reapplied == 1
    assert backups.restore_backup(db_path, result.safety, ADMIN).reapplied == 0


def test_the_list_holds_ids_and_dates_never_names(
    db_path: Path, erased_after_copy: tuple[str, Path]
) -> None:
    person, _copy = erased_after_copy
    text = list_path(db_path).read_text("utf-8")
    assert [n.record_id for n in read_erasures(db_path)] == [person]
    assert not [s for s in SECRETS if s in text]
    assert set(json.loads(text.splitlines()[0])) == {"entity", "id", "at"}


def test_no_erasure_without_its_note(registry: Registry, db_path: Path) -> None:
    add_staff(registry, ADMIN)
    person = add_person(registry, "Zéphyrine", "Quaglioni")
    registry.actor = ADMIN
    # The list's place is taken by a folder: the note cannot be written.
    list_path(db_path).mkdir(parents=True)
    with pytest.raises(OSError):
        erase_person(registry, "beneficiary", person)
    with registry.session() as session:
        record = session.get(Beneficiary, person)
        assert record is not None and record.last_name == "Quaglioni"


def test_the_app_restore_reapplies_as_the_signed_in_user(
    registry: Registry, db_path: Path, erased_after_copy: tuple[str, Path]
) -> None:
    _person, copy = erased_after_copy
    result = backups.restore_open_registry(registry, copy)
    assert result.reapplied == 1 and "1 effacement(s) réappliqué(s)" in result.message
    assert _found(db_path) == []
    # Bringing the copy up to date took no new copy holding her.
    assert all(not _found(c.path) for c in list_backups(db_path) if c.path != copy)


def test_the_command_line_restore_says_how_many_were_reapplied(
    registry: Registry,
    db_path: Path,
    erased_after_copy: tuple[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _person, copy = erased_after_copy
    set_secret(password_key(registry, ADMIN.username), PASSWORD)
    registry.close()
    args = ["backup", "restore", str(copy), "--db", str(db_path), "--user", "admin"]
    assert main(args) == 0
    assert "1 effacement(s) réappliqué(s)." in capsys.readouterr().out
    assert _found(db_path) == []


def test_old_copies_go_at_the_next_start_even_after_weeks_away(
    registry: Registry, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bippop_desk.registry import clock
    from bippop_desk.ui.app import open_registry

    add_person(registry, "Anne", "Avant")
    day = dt.datetime(2026, 7, 1, 9, 0)
    old = take_backup(db_path, day)
    old_migration = take_backup(db_path, day, label="avant-migration-0013")
    recent = take_backup(db_path, day + dt.timedelta(days=25))
    note_erasure(db_path, "beneficiary", "old-id", day - dt.timedelta(days=1))
    note_erasure(db_path, "beneficiary", "new-id", day + dt.timedelta(days=24))
    registry.close()
    # Five weeks later the app starts: the old copies go before the registry is opened.
    later = day + dt.timedelta(days=35)
    monkeypatch.setattr(clock, "local_now", lambda: later)
    opened = open_registry(db_path, demo_if_empty=False)
    opened.registry.close()
    assert not old.exists() and not old_migration.exists()
    assert recent.exists()
    assert [n.record_id for n in read_erasures(db_path)] == ["new-id"]
    assert BACKUP_DAYS == 14


def test_the_person_export_says_how_long_backups_keep_the_data(
    registry: Registry, tmp_path: Path
) -> None:
    from bippop_desk.registry.services.person_export import person_data
    from bippop_desk.reports.person_data import write_person_pdf

    add_staff(registry, ADMIN)
    person = add_person(registry, "Hélène", "Export")
    registry.actor = ADMIN
    data = person_data(registry, person)
    assert f"au plus {BACKUP_DAYS} jours" in data["conservation_sauvegardes"]
    assert write_person_pdf(data, tmp_path / "x.pdf", "Compiègne").stat().st_size > 1000


def test_an_erasure_pulled_from_the_platform_is_noted_and_reapplied_too(
    registry: Registry, db_path: Path
) -> None:
    from bippop_desk.registry.services.erasure import erase_locally

    add_staff(registry, ADMIN)
    person = add_person(registry, "Zéphyrine", "Quaglioni", phone="06 12 98 76 54")
    copy = take_backup(db_path)
    with registry.change() as changes:  # as registry/remote.py applies a pulled erase
        erase_locally(changes.session, "beneficiary", person)
    assert [n.record_id for n in read_erasures(db_path)] == [person]
    registry.close()
    assert backups.restore_backup(db_path, copy, ADMIN).reapplied == 1
    assert _found(db_path) == []
