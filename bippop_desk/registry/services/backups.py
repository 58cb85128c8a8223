"""Backups: a daily copy with SQLite's online backup API (consistent even while the
app writes), kept BACKUP_DAYS days, and a restore that first checks the chosen copy
(integrity_check, a known schema) and keeps a copy of the registry it replaces.

Every copy (daily, before a migration, before a restore) older than BACKUP_DAYS is
deleted at the next start, before anything else (`prune_old_backups`): the privacy
texts promise "at most BACKUP_DAYS days". A restore re-applies the erasures made since
the copy (registry/erasure_list.py, services/erasure.reapply_erasures) before the
file is used or synced.

Runs on the DB worker or in the CLI; the restore needs the registry closed (the app
closes it, restores, and opens it again).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from bippop_desk.registry import clock
from bippop_desk.registry.actor import SYSTEM_ACTOR, Actor
from bippop_desk.registry.erasure_list import prune_erasures
from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.migrate import known_revisions

log = logging.getLogger(__name__)

BACKUP_DAYS = 14
PREFIX = "quotidienne"
# Said on the data-protection page and in a person's export (the CNIL expects people to
# be told how long copies keep their data): the figure is the one the pruning uses.
BACKUP_NOTICE = (
    f"Les sauvegardes du registre (une copie par jour) sont gardées au plus {BACKUP_DAYS} "
    f"jours, puis supprimées : des données effacées ou modifiées peuvent y rester au plus "
    f"{BACKUP_DAYS} jours. Restaurer une sauvegarde ne ramène pas une personne effacée : "
    "son effacement est refait aussitôt."
)


class BackupError(RegistryError):
    pass


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime
    size: int

    @property
    def label(self) -> str:
        return f"{self.taken_at:%d/%m/%Y %H:%M} — {self.size / 1_000_000:.1f} Mo"


def backup_folder(registry_path: Path) -> Path:
    # Next to the registry, where migrations put theirs and whoever copies the folder looks.
    return registry_path.parent / "sauvegardes"


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dest = sqlite3.connect(target)
    try:
        with dest:
            src.backup(dest)
    finally:
        dest.close()
        src.close()


def take_backup(registry_path: Path, now: dt.datetime | None = None, label: str = PREFIX) -> Path:
    """One consistent copy now; returns its path."""
    moment = now or clock.local_now()
    folder = backup_folder(registry_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{registry_path.stem}-{label}-{moment:%Y%m%d-%H%M%S}{registry_path.suffix}"
    # Written aside then renamed: a copy cut short (app closed, disk full) never looks
    # like a backup.
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(registry_path, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def list_backups(registry_path: Path) -> list[BackupFile]:
    """Every copy in the backups folder (daily, before a migration, before a restore),
    newest first."""
    folder = backup_folder(registry_path)
    found = []
    for path in folder.glob(f"{registry_path.stem}-*{registry_path.suffix}"):
        try:
            stamp = dt.datetime.strptime(path.stem[-15:], "%Y%m%d-%H%M%S")
        except ValueError:
            continue
        found.append(BackupFile(path, stamp, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def prune_old_backups(
    registry_path: Path, keep_days: int = BACKUP_DAYS, now: dt.datetime | None = None
) -> int:
    """Delete every copy (of any kind) older than `keep_days`, then the erasure-list
    entries no kept copy can bring back. Returns how many copies went. Called at start
    before the registry is opened, so weeks without the app do not keep old copies."""
    moment = now or clock.local_now()
    limit = moment - dt.timedelta(days=keep_days)
    gone = 0
    for copy in list_backups(registry_path):
        if copy.taken_at < limit:
            copy.path.unlink(missing_ok=True)
            gone += 1
    kept = list_backups(registry_path)
    oldest = min([c.taken_at for c in kept], default=moment)
    # Copies are named in local time, erasures noted in UTC: a day of margin.
    prune_erasures(registry_path, min(oldest, limit) - dt.timedelta(days=1))
    return gone


def daily_backup(
    registry_path: Path, keep_days: int = BACKUP_DAYS, now: dt.datetime | None = None
) -> Path | None:
    """Take today's copy unless there is one, and remove copies older than
    `keep_days`. Returns the new copy, or None when today's existed already."""
    moment = now or clock.local_now()
    prune_old_backups(registry_path, keep_days, moment)
    daily = [c for c in list_backups(registry_path) if f"-{PREFIX}-" in c.path.name]
    if any(c.taken_at.date() == moment.date() for c in daily):
        return None
    return take_backup(registry_path, moment)


def check_backup(path: Path) -> str:
    """The copy's schema revision when it is whole and known; BackupError otherwise."""
    if not path.exists():
        raise BackupError("Cette sauvegarde n'existe plus.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        log.warning("backup %s unreadable: %s", path, error)
        raise BackupError(
            "Cette sauvegarde est illisible : elle ne peut pas être restaurée."
        ) from None
    if not result or result[0] != "ok":
        raise BackupError("Cette sauvegarde est abîmée (contrôle d'intégrité en échec).")
    if not revision or revision[0] not in known_revisions():
        raise BackupError("Cette sauvegarde vient d'une version plus récente de Bip Pop Desk.")
    return str(revision[0])


@dataclass(frozen=True)
class RestoreResult:
    safety: Path  # the registry as it was before the restore
    reapplied: int  # erasures made after the copy, done again on it

    @property
    def message(self) -> str:
        return (
            f"Registre restauré. L'ancien est gardé dans {self.safety}. "
            f"{self.reapplied} effacement(s) réappliqué(s)."
        )


def _replace_registry(registry_path: Path, backup: Path) -> Path:
    check_backup(backup)
    safety = take_backup(registry_path, label="avant-restauration")
    _copy(backup, registry_path)
    conn = sqlite3.connect(registry_path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"La restauration a échoué ; le registre d'avant est dans {safety}.")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return safety


def _drop_migration_copy(taken: str | None) -> None:
    # Bringing an older copy up to date copies it first: the same bytes as the chosen
    # copy (still there), but with the erased people and a new date: it goes.
    if taken:
        Path(taken).unlink(missing_ok=True)


def restore_backup(registry_path: Path, backup: Path, actor: Actor = SYSTEM_ACTOR) -> RestoreResult:
    """Replace the (closed) registry by `backup` after checking it; the registry as it
    was is kept as a copy first. The restored file is brought up to this app's schema
    and the erasures made since the copy are re-applied (journaled as `actor`) before
    it is returned to anyone."""
    from bippop_desk.registry.services.erasure import reapply_erasures
    from bippop_desk.registry.store import Registry

    safety = _replace_registry(registry_path, backup)
    registry = Registry(registry_path, actor)
    try:
        _drop_migration_copy(registry.backup_taken)
        reapplied = reapply_erasures(registry)
    finally:
        registry.close()
    return RestoreResult(safety, reapplied)


def require_backup_rights(registry: object) -> None:
    """Raise PermissionDeniedError unless the signed-in user may restore (before the
    caller closes the registry to restore it)."""
    from bippop_desk.registry.permissions import require
    from bippop_desk.registry.store import Registry

    assert isinstance(registry, Registry)
    require(registry, "backup")


def restore_open_registry(registry: object, backup: Path) -> RestoreResult:
    """From the app (on the DB worker, the only thread using `registry`): check the
    rights and the copy, close every connection, restore, bring an older copy up to
    this app's schema, re-apply the erasures made since (as the signed-in user). The
    registry object stays usable (it reconnects on next use)."""
    from bippop_desk.registry.migrate import ensure_schema
    from bippop_desk.registry.services.erasure import reapply_erasures
    from bippop_desk.registry.store import Registry

    assert isinstance(registry, Registry)
    require_backup_rights(registry)
    check_backup(backup)
    registry.engine.dispose()
    safety = _replace_registry(registry.path, backup)
    _drop_migration_copy(ensure_schema(registry.path, backup_folder(registry.path)))
    return RestoreResult(safety, reapply_erasures(registry))


def daily_backup_in_background(registry_path: Path) -> threading.Thread:
    """The day's copy on a thread of its own (the backup API reads a consistent
    snapshot beside the app's connections): start-up and the DB worker never wait."""

    def run() -> None:
        try:
            daily_backup(registry_path)
        except (OSError, sqlite3.Error) as error:
            log.warning("daily backup failed: %s", error)

    thread = threading.Thread(target=run, name="daily-backup", daemon=True)
    thread.start()
    return thread
