"""`bippop-desk roster --week 2026-W48 --by volunteer|day -o FILE.pdf`: the visit roster."""

from __future__ import annotations

import argparse
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import check_year, output_path, writing


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "roster", parents=[common], help="imprimer le planning des visites d'une semaine (PDF)"
    )
    parser.add_argument(
        "--week", help="semaine ISO, par exemple 2026-W48 (par défaut : la semaine en cours)"
    )
    parser.add_argument(
        "--by",
        choices=("volunteer", "day"),
        default="day",
        help="une section par bénévole ou par jour (par défaut : par jour)",
    )
    parser.add_argument("--volunteer", metavar="ID", help="seulement ce bénévole (son identifiant)")
    parser.add_argument(
        "--include-cancelled", action="store_true", help="garder les interventions annulées"
    )
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="fichier PDF")
    add_user_options(parser)  # reads personal data or writes: who acts (issue 8)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.services.week import current_iso_week, parse_iso_week
    from bippop_desk.reports.roster import write_roster

    year, week = parse_iso_week(args.week) if args.week else current_iso_week()
    check_year(year, "--week")
    target = output_path(args.output, "le planning")
    with open_signed_in(args) as registry, writing(target, "le planning"):
        result = write_roster(
            registry,
            year,
            week,
            args.by,
            target,
            volunteer_id=args.volunteer,
            include_cancelled=args.include_cancelled,
        )
    pages = f"{result.pages} page{'s' if result.pages > 1 else ''}"
    print(
        f"Planning {year}-W{week:02d} écrit dans {result.path} "
        f"({result.missions} interventions, {pages})."
    )
    return 0
