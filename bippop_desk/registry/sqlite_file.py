"""Which files are Bip Pop registries, and the settings of every connection to one.

Plain sqlite3 only (no SQLAlchemy): the start-up fast path and the first screen's
FileReader use it before the ORM is imported.

A registry carries SQLite's `application_id` APPLICATION_ID. `check_registry_file` runs
before the registry is opened for writing (opening one switches the file to WAL): a
directory, a file that is not SQLite, or the SQLite file of another program is refused
with a French message and left exactly as it was.

`look_at` is THE one way this app looks inside a file that is, or may be, a registry
before using it, and it goes through SQLite (a read-only connection), never through
`open()`. Why: SQLite's locks on Linux are POSIX advisory locks owned by the process, and
closing ANY file descriptor on the database file drops all of the process's locks on it
(SQLite's "How To Corrupt An SQLite Database File", §2.2). Had the app read the header
with `open()` while one of its connections was open, another process would then believe
it was the last user, checkpoint and delete the WAL the app is still writing into: saved
changes would vanish. SQLite's own connections share one lock table per file inside the
process and keep descriptors open while locks are held, so a connection is always safe.
tests/core/test_no_plain_file_access.py scans the code for other plain file calls.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.network_share import network_share, share_message
from bippop_desk.registry.textkeys import register_functions

# "BPDK" — written in the file's header when the schema is created (or, for a
# registry made before it existed, at its next opening).
APPLICATION_ID = 0x4250444B
# Tables that, together with alembic_version, say "a registry from before APPLICATION_ID".
_REGISTRY_TABLES = {"alembic_version", "commune", "beneficiary", "search_doc"}


class RegistryFileError(RegistryError):
    """The path given is not a registry this app may open (the file is left untouched)."""


@dataclass(frozen=True)
class FileLook:
    """What a file is, seen through SQLite (see `look_at`)."""

    # missing | directory | empty | not_sqlite | unreadable | sqlite
    kind: str
    application_id: int = 0
    tables: frozenset[str] = frozenset()
    revision: str | None = None  # alembic_version's row, when there is one
    problem: str = ""  # SQLite's words when the file cannot be read

    @property
    def is_registry_schema(self) -> bool:
        """Our application_id, or an older registry's tables (made before it existed)."""
        if self.kind != "sqlite":
            return False
        return self.application_id == APPLICATION_ID or (
            self.application_id == 0 and self.tables >= _REGISTRY_TABLES
        )


def look_at(path: Path) -> FileLook:
    """What `path` is, without ever opening it outside SQLite (safe while this process
    has connections to it open). May run on any thread; reads only."""
    if path.is_dir():
        return FileLook("directory")
    if not path.exists():
        return FileLook("missing")
    if path.stat().st_size == 0:  # stat opens no descriptor
        return FileLook("empty")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return FileLook("unreadable", problem=str(error))
    try:
        application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master"))
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
            return FileLook("not_sqlite")
        return FileLook("unreadable", problem=str(error))
    finally:
        conn.close()
    return FileLook("sqlite", application_id, tables, revision)


def check_registry_file(path: Path, *, create: bool) -> bool:
    """Refuse what is not a Bip Pop registry; True when the registry is still to be made.

    `create` False (read-only commands): a missing or empty file is an error, so a
    mistyped path never leaves a new registry behind.
    """
    if path.is_dir():
        raise RegistryFileError(f"« {path} » est un dossier, pas un fichier de registre.")
    folder = path.parent if str(path.parent) else Path(".")
    share = network_share(path)
    if share:
        raise RegistryFileError(share_message(path, share))
    if not path.exists():
        if not create:
            raise RegistryFileError(f"Aucun registre à « {path} » : vérifiez le chemin.")
        if not folder.is_dir():
            raise RegistryFileError(
                f"Le dossier « {folder} » n'existe pas : le registre ne peut pas y être créé."
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise RegistryFileError(
                f"Le dossier « {folder} » est en lecture seule : "
                "le registre ne peut pas y être créé."
            )
        return True
    if not os.access(path, os.R_OK):
        raise RegistryFileError(f"Le fichier « {path} » ne peut pas être lu (accès refusé).")
    look = look_at(path)
    if look.kind == "empty":
        if not create:
            raise RegistryFileError(f"« {path} » est un fichier vide, pas encore un registre.")
        return True
    if look.kind == "not_sqlite":
        raise RegistryFileError(
            f"« {path} » n'est pas un registre Bip Pop (ce n'est pas une base SQLite). "
            "Le fichier n'a pas été modifié."
        )
    writable = os.access(path, os.R_OK | os.W_OK) and os.access(folder, os.W_OK | os.X_OK)
    if look.kind == "unreadable" and writable:
        raise RegistryFileError(f"« {path} » est une base SQLite illisible ({look.problem}).")
    if look.application_id not in (0, APPLICATION_ID):
        raise _foreign(path)
    if not writable:
        # WAL needs to write next to the file, even to read it.
        raise RegistryFileError(
            f"Le registre « {path} » ou son dossier est en lecture seule : "
            "il ne peut pas être ouvert."
        )
    if look.is_registry_schema:
        return False  # an older one without application_id is stamped when opened
    if not look.tables:
        return True  # an empty SQLite file: nothing of anyone's to spoil
    raise _foreign(path)


def _foreign(path: Path) -> RegistryFileError:
    return RegistryFileError(
        f"« {path} » est une base SQLite d'un autre logiciel, pas un registre Bip Pop : "
        "elle n'a pas été modifiée."
    )


def stamp_application_id(conn: sqlite3.Connection) -> None:
    """Mark the file as a Bip Pop registry (once; a header write, no table touched)."""
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")


def configure_connection(conn: sqlite3.Connection) -> None:
    """The pragmas and functions of every connection to a registry (also the plain
    sqlite3 ones: the first screen's FileReader)."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    register_functions(conn)


_COMPANIONS = ("-wal", "-shm", "-journal")


def is_database_file(path: Path) -> bool:
    """True for a SQLite database (a registry above all) or one of its companion files
    (-wal, -shm, -journal): what an export, an import or a copy must never read with
    open() nor write over. Looked at through SQLite only."""
    for suffix in _COMPANIONS:
        if path.name.endswith(suffix) and path.with_name(path.name[: -len(suffix)]).exists():
            return True
    return path.is_file() and look_at(path).kind == "sqlite"
