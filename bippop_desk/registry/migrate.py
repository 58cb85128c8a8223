"""Bring a registry file to this app's schema, safely.

- A file with no schema gets the whole schema.
- A file at an older revision is first copied (SQLite online backup) into the
  backups folder, then migrated; each Alembic step runs in a transaction.
- A file at a revision this app does not know was written by a newer app: it is
  refused with a clear message and never touched.

The fast path (already at head) reads one row with sqlite3 and does not import Alembic,
so start-up stays quick.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from bippop_desk.registry.errors import DatabaseTooNewError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def known_revisions() -> list[str]:
    """Revision ids shipped with this app, oldest first (files are named NNNN_*.py)."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return [name[:4] for name in names]


def head_revision() -> str:
    return known_revisions()[-1]


def current_revision(path: Path) -> str | None:
    """The revision stamped in the file, or None for a file without a registry schema
    (missing, empty, not SQLite, or another program's: `ensure_schema` says which).
    Read through SQLite (`sqlite_file.look_at`), never with open(): safe while the app
    has connections to the file open."""
    from bippop_desk.registry.sqlite_file import APPLICATION_ID, look_at

    look = look_at(path)
    if look.kind != "sqlite" or look.application_id not in (0, APPLICATION_ID):
        return None
    return look.revision


def backup_copy(path: Path, backup_dir: Path, label: str) -> Path:
    """A consistent copy of the registry (safe even while another process writes)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{path.stem}-{label}-{stamp}{path.suffix}"
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target


def ensure_schema(path: Path, backup_dir: Path, *, create: bool = True) -> str | None:
    """Migrate `path` to head. Returns the backup file's path when one was taken.

    What is not a Bip Pop registry is refused first, untouched (RegistryFileError);
    with `create` False a missing file is refused too instead of becoming a registry.
    """
    from bippop_desk.registry.sqlite_file import check_registry_file

    check_registry_file(path, create=create)
    current = current_revision(path)
    known = known_revisions()
    head = known[-1]
    if current == head:
        _stamp(path)
        return None
    if current is not None and current not in known:
        raise DatabaseTooNewError(
            f"Ce registre a été créé par une version plus récente de Bip Pop Desk "
            f"(schéma {current}, cette version connaît jusqu'au schéma {head}). "
            "Installez la dernière version du logiciel : le fichier n'a pas été modifié."
        )
    backup: Path | None = None
    if current is not None:
        backup = backup_copy(path, backup_dir, f"avant-migration-{current}")
        log.info("backup before migrating %s → %s: %s", current, head, backup)
    _alembic_upgrade(path)
    _stamp(path)
    return str(backup) if backup else None


def _stamp(path: Path) -> None:
    """Write the registry's application_id when it is not there yet (files created
    before it existed, and new files). A plain read when it is."""
    from bippop_desk.registry.sqlite_file import stamp_application_id

    conn = sqlite3.connect(path)
    try:
        stamp_application_id(conn)
        conn.commit()
    finally:
        conn.close()


def _alembic_upgrade(path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from bippop_desk.registry.database import make_engine

    engine = make_engine(path)
    try:
        with engine.connect() as connection:
            # Batch migrations copy tables: foreign keys are checked once at the end,
            # not while tables are being moved. The pragma only works outside a transaction.
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            with connection.begin():
                config = Config()
                config.set_main_option("script_location", str(MIGRATIONS_DIR))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"foreign keys broken by the migration: {problems[:5]}")
            raw.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()
