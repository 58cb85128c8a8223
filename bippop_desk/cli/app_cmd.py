"""`bippop-desk run`: open the desktop app (the default command)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("run", parents=[common], help="ouvrir l'application")
    parser.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="créer la commune de démonstration si le registre n'existe pas encore",
    )
    parser.add_argument("--page", default="accueil", help="page ouverte au démarrage")
    parser.add_argument("--large-text", action="store_true", help="texte agrandi")
    parser.add_argument(
        "--exit-after-paint",
        action="store_true",
        help="(mesure) quitter dès que la première page est affichée avec ses données",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.cli.common import db_path
    from bippop_desk.registry.sqlite_file import check_registry_file

    # Before any window: a wrong --db is said on the terminal, and never modified.
    check_registry_file(db_path(args), create=True)
    from bippop_desk.ui.app import run_app

    return run_app(args)
