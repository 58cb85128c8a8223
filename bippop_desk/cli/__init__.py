"""Command line: the same services as the app. Every command takes `--db PATH`;
without it the user's own registry is used. With no command, the app opens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bippop_desk import __version__
from bippop_desk.cli import (
    app_cmd,
    backup_cmd,
    demo_cmd,
    hours_cmd,
    ics_cmd,
    import_cmd,
    register_cmd,
    report_cmd,
    roster_cmd,
    search_cmd,
    sync_cmd,
)
from bippop_desk.registry.errors import RegistryError

COMMANDS = (
    app_cmd,
    demo_cmd,
    search_cmd,
    roster_cmd,
    hours_cmd,
    ics_cmd,
    import_cmd,
    report_cmd,
    sync_cmd,
    register_cmd,
    backup_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a sub-command's own --db default must not erase one given before it
    # (`bippop-desk --db X search -- -lefevre`).
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="fichier du registre (par défaut : le vôtre)",
    )
    parser = argparse.ArgumentParser(
        prog="bippop-desk",
        description="Bip Pop Desk — registre local de la mairie pour l'entraide.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for module in COMMANDS:
        module.register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bippop_desk.logs import setup_logging

    setup_logging()
    args = build_parser().parse_args(argv)
    if args.command is None:
        args = build_parser().parse_args(["run", *(argv if argv is not None else sys.argv[1:])])
    try:
        return int(args.handler(args))
    except RegistryError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
