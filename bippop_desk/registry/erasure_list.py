"""The list of erasures, kept outside the registry file (issue 18).

Restoring a backup replaces the registry file and everything in it: a person erased
after the copy was taken would come back. So each erasure is also written here, in a
small JSON-lines file in the backups folder (it lives and goes with the copies it
protects against): entity, record id and date, never a name. A restore re-applies
every listed erasure whose person is back (services/backups.py).

Durability: a line is appended and fsync'ed *before* the erasure commits; a line for
an erasure that then failed is harmless (re-applying it finds the person and erases
them, as was asked). The file is not a registry: plain file calls are fine here and
reviewed in tests/core/test_no_plain_file_access.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureNote:
    entity: str
    record_id: str
    erased_at: dt.datetime  # naive UTC


def list_path(registry_path: Path) -> Path:
    """Beside the registry's copies (services/backups.backup_folder)."""
    return registry_path.parent / "sauvegardes" / f"{registry_path.stem}-effacements.jsonl"


def _line(note: ErasureNote) -> bytes:
    data = {
        "entity": note.entity,
        "id": note.record_id,
        "at": note.erased_at.isoformat(timespec="seconds"),
    }
    return (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8")


def _fsync_folder(folder: Path) -> None:
    # A new or renamed file survives a power cut only once its folder entry is on disk.
    if os.name == "nt":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def note_erasure(registry_path: Path, entity: str, record_id: str, at: dt.datetime) -> None:
    """Append one erasure, on disk (fsync) when this returns; OSError otherwise, and the
    caller then does not erase (the erasure must never be done without its note)."""
    path = list_path(registry_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(handle, _line(ErasureNote(entity, record_id, at)))
        os.fsync(handle)
    finally:
        os.close(handle)
    if new:
        _fsync_folder(path.parent)


def read_erasures(registry_path: Path) -> list[ErasureNote]:
    """Every listed erasure, oldest first; a line cut short by a crash is skipped."""
    path = list_path(registry_path)
    if not path.exists():
        return []
    notes = []
    for line in path.read_text("utf-8").splitlines():
        try:
            data = json.loads(line)
            notes.append(
                ErasureNote(
                    str(data["entity"]), str(data["id"]), dt.datetime.fromisoformat(data["at"])
                )
            )
        except (ValueError, KeyError, TypeError):
            log.warning("erasure list %s: unreadable line skipped", path)
    return notes


def prune_erasures(registry_path: Path, older_than: dt.datetime) -> int:
    """Drop the entries older than `older_than` (no copy that old is kept any more, so
    none can bring those people back); rewritten aside, fsync'ed, renamed. Returns how
    many went."""
    notes = read_erasures(registry_path)
    kept = [n for n in notes if n.erased_at >= older_than]
    if len(kept) == len(notes):
        return 0
    path = list_path(registry_path)
    partial = path.with_name(path.name + ".partial")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(handle, b"".join(_line(n) for n in kept))
        os.fsync(handle)
    finally:
        os.close(handle)
    os.replace(partial, path)
    _fsync_folder(path.parent)
    return len(notes) - len(kept)
