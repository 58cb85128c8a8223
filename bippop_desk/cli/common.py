"""Helpers shared by the commands."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from bippop_desk.paths import default_db_path
from bippop_desk.registry.actor import Actor

if TYPE_CHECKING:
    from bippop_desk.registry.store import Registry


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else default_db_path()


def cli_actor() -> Actor:
    """Changes made from the command line are journaled under the OS login."""
    login = getpass.getuser()
    return Actor(login, f"{login} (ligne de commande)", "administrateur")


def open_registry(args: argparse.Namespace) -> Registry:
    from bippop_desk.registry.store import Registry  # not at import: `run` starts faster

    return Registry(db_path(args), cli_actor())
