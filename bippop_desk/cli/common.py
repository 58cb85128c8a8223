"""Helpers shared by the commands: which registry, where to write, checked input.

Every check here runs before anything is opened or written, and fails with a French
`CliError` (printed by `cli.main`, exit code 2): never a traceback, never a registry
created at a mistyped path, never a half-written file left behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bippop_desk.paths import db_path as resolve_db_path
from bippop_desk.registry.actor import Actor
from bippop_desk.registry.errors import RegistryError

if TYPE_CHECKING:
    from bippop_desk.registry.store import Registry

# Dates the commands accept: the registry's data lives in this range; beyond is a typo
# (and Python's dates end at year 9999: a week after 9999-12-27 does not exist).
MIN_YEAR, MAX_YEAR = 1900, 2200
# What the reports write first, renamed onto the target once complete.
PARTIAL_SUFFIXES = (".partial", ".partiel")


class CliError(RegistryError):
    """Bad command-line input; the message is French and names what to fix."""


def db_path(args: argparse.Namespace) -> Path:
    return resolve_db_path(getattr(args, "db", None))


def cli_actor() -> Actor:
    """Changes made from the command line are journaled under the OS login."""
    login = getpass.getuser()
    return Actor(login, f"{login} (ligne de commande)", "administrateur")


def open_registry(args: argparse.Namespace, *, create: bool = False) -> Registry:
    """The registry `--db` names (or the user's own), checked before it is opened.

    Without `create`, the file must already be a registry: a mistyped path is an error,
    not a new empty registry. What is not a registry is refused, untouched.
    """
    from bippop_desk.registry.sqlite_file import check_registry_file
    from bippop_desk.registry.store import Registry  # not at import: `run` starts faster

    path = db_path(args)
    check_registry_file(path, create=create)
    return Registry(path, cli_actor())


def output_path(value: str, what: str) -> Path:
    """The file `-o` names, checked: not a folder, in a folder that exists and may be
    written. `what` names the document in the messages ("le planning")."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise CliError(f"« {value} » est un dossier : indiquez le nom du fichier pour {what}.")
    folder = path.parent
    if not folder.is_dir():
        raise CliError(f"Le dossier « {folder} » n'existe pas : {what} ne peut pas y être écrit.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"Le dossier « {folder} » est en lecture seule : {what} n'est pas écrit.")
    if path.exists() and not os.access(path, os.W_OK):
        raise CliError(f"Le fichier « {value} » est en lecture seule : {what} n'est pas écrit.")
    from bippop_desk.registry.output_file import refuse_database_target

    refuse_database_target(path)  # never a document written over a registry
    return path


@contextmanager
def writing(path: Path, what: str) -> Iterator[None]:
    """Turn a failed write into a French message, and leave no partial file behind
    (the reports write `NAME.partial` first and rename it when complete)."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise CliError(f"{what[0].upper()}{what[1:]} n'a pas pu être écrit ({reason}).") from None
    finally:
        for suffix in PARTIAL_SUFFIXES:
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def check_year(year: int, option: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CliError(f"{option} : l'année {year} est hors limites ({MIN_YEAR} à {MAX_YEAR}).")


def check_date(day: dt.date, option: str) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CliError(f"{option} : la date est hors limites (années {MIN_YEAR} à {MAX_YEAR}).")


def bounded_int(low: int, high: int, option: str) -> Callable[[str], int]:
    """An argparse `type` for an integer within [low, high], with a French message."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier.") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{option} va de {low} à {high}.")
        return value

    return parse
