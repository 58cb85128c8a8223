"""Every document the app writes goes through `written_atomically`: written under a
temporary name, renamed onto its target once whole (a reader never sees half a file, a
failure leaves the good old one), and never over a database.

Why the last rule: a save dialog or `-o` pointed at the registry (or its -wal/-shm) would
replace the file the app is using, and reading it to check would risk SQLite's locks
(see registry/sqlite_file.py). `is_database_file` looks through SQLite only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.sqlite_file import is_database_file


class DocumentTargetError(RegistryError):
    """The chosen file may not receive a document (French message)."""


def refuse_database_target(target: Path) -> None:
    if is_database_file(target):
        raise DocumentTargetError(
            f"« {target.name} » est une base de données (un registre ?) : le document "
            "n'est pas écrit par-dessus. Choisissez un autre nom de fichier."
        )


@contextmanager
def written_atomically(target: Path | str, partial_suffix: str = ".partial") -> Iterator[Path]:
    """Yield the temporary path to write; on success it replaces `target`. Any thread."""
    final = Path(target)
    refuse_database_target(final)
    partial = final.with_name(final.name + partial_suffix)
    try:
        yield partial
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
