"""Which files are Bip Pop registries, and the settings of every connection to one.

Plain sqlite3 only (no SQLAlchemy): the start-up fast path and the first screen's
FileReader use it before the ORM is imported.

A registry carries SQLite's `application_id` APPLICATION_ID. `check_registry_file` runs
before any connection is opened (opening one switches the file to WAL): a directory,
a file that is not SQLite, or the SQLite file of another program is refused with a
French message and left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.textkeys import register_functions

# "BPDK" — written in the file's header when the schema is created (or, for a
# registry made before it existed, at its next opening).
APPLICATION_ID = 0x4250444B
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables that, together with alembic_version, say "a registry from before APPLICATION_ID".
_REGISTRY_TABLES = {"alembic_version", "commune", "beneficiary", "search_doc"}


class RegistryFileError(RegistryError):
    """The path given is not a registry this app may open (the file is left untouched)."""


def _header(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(100)


def check_registry_file(path: Path, *, create: bool) -> bool:
    """Refuse what is not a Bip Pop registry; True when the registry is still to be made.

    `create` False (read-only commands): a missing or empty file is an error, so a
    mistyped path never leaves a new registry behind.
    """
    if path.is_dir():
        raise RegistryFileError(f"« {path} » est un dossier, pas un fichier de registre.")
    folder = path.parent if str(path.parent) else Path(".")
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
    try:
        header = _header(path)
    except OSError as error:
        raise RegistryFileError(f"Le fichier « {path} » ne peut pas être lu ({error}).") from None
    if not header:
        if not create:
            raise RegistryFileError(f"« {path} » est un fichier vide, pas encore un registre.")
        return True
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise RegistryFileError(
            f"« {path} » n'est pas un registre Bip Pop (ce n'est pas une base SQLite). "
            "Le fichier n'a pas été modifié."
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in (0, APPLICATION_ID):
        raise _foreign(path)
    if not (os.access(path, os.R_OK | os.W_OK) and os.access(folder, os.W_OK | os.X_OK)):
        # WAL needs to write next to the file, even to read it.
        raise RegistryFileError(
            f"Le registre « {path} » ou son dossier est en lecture seule : "
            "il ne peut pas être ouvert."
        )
    if application_id == APPLICATION_ID:
        return False
    tables = _tables(path)
    if not tables:
        return True  # an empty SQLite file: nothing of anyone's to spoil
    if tables >= _REGISTRY_TABLES:
        return False  # a registry made before APPLICATION_ID: stamped when opened
    raise _foreign(path)


def _foreign(path: Path) -> RegistryFileError:
    return RegistryFileError(
        f"« {path} » est une base SQLite d'un autre logiciel, pas un registre Bip Pop : "
        "elle n'a pas été modifiée."
    )


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise RegistryFileError(f"« {path} » est une base SQLite illisible ({error}).") from None
    finally:
        conn.close()


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
