"""`bippop-desk activity-report --year 2026 -o rapport.pdf`: the activity report (PDF with
the dashboard's figures and charts) for the conseil municipal and the funders."""

from __future__ import annotations

import argparse
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import output_path, writing
from bippop_desk.cli.hours_cmd import add_period_options, period_from


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "activity-report",
        parents=[common],
        help="écrire le rapport d'activité d'une période (PDF avec graphiques)",
    )
    add_period_options(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="fichier .pdf")
    add_user_options(parser)  # the registry's figures: staff only, signed in (issue 8)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.reports.annual_report import write_annual_report

    period = period_from(args)
    target = output_path(args.output, "le rapport")
    with open_signed_in(args) as registry, writing(target, "le rapport"):
        path = write_annual_report(registry, period, target)
    print(f"Rapport d'activité ({period.title}) écrit dans {path}.")
    return 0
