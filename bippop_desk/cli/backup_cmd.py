"""`bippop-desk backup …`: copies of the registry (SQLite backup API) and restore.

backup list                 the copies, newest first
backup now --user X         a copy now (administrators)
backup restore FILE --user X   replace the registry by FILE after its integrity check
                               (the app must be closed; the current registry is kept),
                               then re-apply the erasures made since FILE was taken
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import CliError, db_path


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "backup", parents=[common], help="sauvegarder ou restaurer le registre"
    )
    add_user_options(parser)
    parser.add_argument("action", choices=("list", "now", "restore"))
    parser.add_argument("file", nargs="?", default="", help="la copie à restaurer")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.services.backups import (
        check_backup,
        list_backups,
        require_backup_rights,
        restore_backup,
        take_backup,
    )

    path = db_path(args)
    if args.action == "list":
        copies = list_backups(path)
        for copy in copies:
            print(f"{copy.label}  {copy.path}")
        print(f"{len(copies)} copie(s).")
        return 0
    with open_signed_in(args) as registry:
        require_backup_rights(registry)
        actor = registry.actor
        if args.action == "now":
            print(f"Copie faite : {take_backup(path)}")
            return 0
    if not args.file:
        raise CliError("Indiquez la copie à restaurer (voir : bippop-desk backup list).")
    chosen = Path(args.file).expanduser()
    revision = check_backup(chosen)
    result = restore_backup(path, chosen, actor)
    print(f"Registre restauré depuis {chosen} (schéma {revision}).")
    print(f"Le registre d'avant est gardé dans {result.safety}.")
    print(f"{result.reapplied} effacement(s) réappliqué(s).")
    return 0
