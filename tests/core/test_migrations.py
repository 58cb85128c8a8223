"""The schema is applied at start-up, backed up before a migration, and a newer file is refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from bippop_desk.registry import migrate
from bippop_desk.registry.errors import DatabaseTooNewError
from bippop_desk.registry.store import Registry


def test_head_revision_read_from_file_names_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == migrate.head_revision()


def test_a_new_file_gets_the_whole_schema_in_wal_with_full_sync(db_path: Path) -> None:
    registry = Registry(db_path)
    with registry.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    registry.close()
    assert migrate.current_revision(db_path) == migrate.head_revision()
    assert registry.backup_taken is None  # nothing to back up in a new file


def test_an_older_registry_is_backed_up_then_migrated(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Registry(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO app_setting(key, value) VALUES ('marker', 'avant')")
    conn.commit()
    conn.close()

    # A newer app ships one more migration, adding a column.
    newer = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, newer)
    (newer / "versions" / "0002_add_column.py").write_text(
        '"""add a column"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n"
        "revision = '0002'\ndown_revision = '0001'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('app_setting') as batch:\n"
        "        batch.add_column(sa.Column('note', sa.Text(), nullable=True))\n"
        "def downgrade():\n    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", newer)

    registry = Registry(db_path)
    registry.close()

    assert migrate.current_revision(db_path) == "0002"
    columns = [r[1] for r in sqlite3.connect(db_path).execute("PRAGMA table_info(app_setting)")]
    assert "note" in columns
    assert registry.backup_taken is not None
    backup = Path(registry.backup_taken)
    assert backup.parent == db_path.parent / "sauvegardes"
    assert migrate.current_revision(backup) == "0001"
    old = sqlite3.connect(backup).execute("SELECT value FROM app_setting WHERE key='marker'")
    assert old.fetchone() == ("avant",)


def test_a_registry_from_a_newer_app_is_refused_and_left_untouched(db_path: Path) -> None:
    Registry(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()

    with pytest.raises(DatabaseTooNewError, match="version plus récente"):
        Registry(db_path)

    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
