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


def test_every_migration_keeps_the_search_triggers(db_path: Path) -> None:
    # Batch migrations that copy a table drop its triggers: the index must stay alive.
    Registry(db_path).close()
    names = {
        row[0]
        for row in sqlite3.connect(db_path).execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'"
        )
    }
    assert {
        "beneficiary_search_ai",
        "beneficiary_search_au",
        "volunteer_search_ai",
        "hours_entry_no_update",
        "hours_entry_no_delete",
    } <= names


def test_a_registry_at_the_first_schema_is_brought_to_head_with_its_data(db_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from bippop_desk.registry.database import make_engine
    from bippop_desk.registry.services.commune import setup_commune
    from tests.conftest import add_person

    engine = make_engine(db_path)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    old = Registry(db_path, migrate=False)
    setup_commune(old, "60159", "Compiègne", "60", "60200")
    person = add_person(old, "Hélène", "Le Goff")
    old.close()

    registry = Registry(db_path)
    from bippop_desk.registry.search import search_people

    assert migrate.current_revision(db_path) == migrate.head_revision()
    assert [hit.id for hit in search_people(registry, "helene")] == [person]
    assert registry.backup_taken is not None
    registry.close()


def test_an_older_registry_is_backed_up_then_migrated(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Registry(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO app_setting(key, value) VALUES ('marker', 'avant')")
    conn.commit()
    conn.close()

    # A newer app ships one more migration, adding a column.
    head = migrate.head_revision()
    following = f"{int(head) + 1:04d}"
    newer = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, newer)
    (newer / "versions" / f"{following}_add_column.py").write_text(
        '"""add a column"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = '{following}'\ndown_revision = '{head}'\n"
        "branch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('app_setting') as batch:\n"
        "        batch.add_column(sa.Column('note', sa.Text(), nullable=True))\n"
        "def downgrade():\n    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", newer)

    registry = Registry(db_path)
    registry.close()

    assert migrate.current_revision(db_path) == following
    columns = [r[1] for r in sqlite3.connect(db_path).execute("PRAGMA table_info(app_setting)")]
    assert "note" in columns
    assert registry.backup_taken is not None
    backup = Path(registry.backup_taken)
    assert backup.parent == db_path.parent / "sauvegardes"
    assert migrate.current_revision(backup) == head
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


# -- every revision, filled, up to head ---------------------------------------------
def _upgrade_to(db_path: Path, revision: str) -> None:
    from alembic import command

    from bippop_desk.registry.database import make_engine

    engine = make_engine(db_path)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    """A row with the given values, every other NOT NULL column without default filled
    plainly for its type: the file holds data the way that revision's code wrote it."""
    for _cid, name, kind, notnull, default, _pk in conn.execute(f"PRAGMA table_info({table})"):
        if name in values or not notnull or default is not None:
            continue
        kind = str(kind).upper()
        if "INT" in kind or "BOOL" in kind or "NUMERIC" in kind:
            values[name] = 1 if name == "row_version" else 0
        elif kind.startswith("DATE"):
            values[name] = "2026-01-05 10:00:00.000000" if kind == "DATETIME" else "2026-01-05"
        else:
            values[name] = ""
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def _fill(db_path: Path) -> None:
    """Beneficiaries, a volunteer and an hours entry, written with plain sqlite3."""
    conn = sqlite3.connect(db_path)
    try:
        _insert(conn, "commune", id="c1", insee_code="60159", name="Compiègne", departement="60")
        for pid, first, last in (("b1", "Gisèle", "Œuvray"), ("b2", "Hélène", "Le Goff")):
            _insert(
                conn,
                "beneficiary",
                id=pid,
                commune_id="c1",
                first_name=first,
                last_name=last,
                address_line="Rue du Cœur",
                status="actif",
            )
        _insert(
            conn, "volunteer", id="v1", commune_id="c1", first_name="Søren", last_name="Straßer"
        )
        _insert(
            conn,
            "hours_entry",
            id="h1",
            commune_id="c1",
            volunteer_id="v1",
            minutes=60,
            kind="autre",
        )
        conn.commit()
    finally:
        conn.close()


def _triggers(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {name: " ".join(str(sql).split()) for name, sql in rows}
    finally:
        conn.close()


@pytest.mark.parametrize("revision", migrate.known_revisions()[:-1])
def test_a_filled_registry_at_each_revision_reaches_head_with_every_trigger_working(
    tmp_path: Path, revision: str
) -> None:
    from bippop_desk.registry.search import search_people
    from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, update_beneficiary

    fresh = tmp_path / "neuf.sqlite3"
    Registry(fresh).close()
    old = tmp_path / f"registre-{revision}.sqlite3"
    _upgrade_to(old, "0001")
    _fill(old)
    _upgrade_to(old, revision)

    registry = Registry(old)  # start-up: backup, then every later migration
    try:
        assert migrate.current_revision(old) == migrate.head_revision()
        # The same triggers as a new file, word for word (none dropped by a table copy,
        # none left in an older shape).
        assert _triggers(old) == _triggers(fresh)
        # The search triggers index folded names, and existing people were re-indexed.
        found = {q: [h.id for h in search_people(registry, q)] for q in ("oeuvray", "legoff")}
        assert found == {"oeuvray": ["b1"], "legoff": ["b2"]}
        assert [h.id for h in search_people(registry, "soren strasser")] == ["v1"]
        update_beneficiary(registry, "b2", BeneficiaryInput("Hélène", "Łukasz"))
        assert [h.id for h in search_people(registry, "lukasz")] == ["b2"]
        assert search_people(registry, "legoff") == []
        # Hours stay append-only.
        with registry.raw() as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE hours_entry SET minutes = 90 WHERE id = 'h1'")
        with registry.raw() as conn:
            keys = dict(conn.execute("SELECT id, name_key FROM beneficiary"))
        assert keys["b1"] == "gisele oeuvray"
    finally:
        registry.close()
