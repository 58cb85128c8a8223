"""`bippop-desk export-hours --from 2026-01-01 --to 2026-12-31 [--pseudonymise] -o FILE.xlsx`:
the volunteer-hours workbook for the conseil départemental."""

from __future__ import annotations

import argparse
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import output_path, writing


def add_period_options(parser: argparse.ArgumentParser) -> None:
    """--from/--to, --year, --month or --quarter: read back by `period_from`."""
    parser.add_argument("--from", dest="start", metavar="DATE", help="premier jour (2026-01-01)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="dernier jour (2026-12-31)")
    parser.add_argument("--year", type=int, help="une année entière, par exemple 2026")
    parser.add_argument("--month", metavar="AAAA-MM", help="un mois, par exemple 2026-03")
    parser.add_argument("--quarter", metavar="AAAA-TN", help="un trimestre, par exemple 2026-T1")


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "export-hours",
        parents=[common],
        help="exporter les heures de bénévolat d'une période (classeur .xlsx)",
    )
    add_period_options(parser)
    parser.add_argument(
        "--pseudonymise",
        action="store_true",
        help="remplacer les noms des bénévoles par des codes stables (envoi hors de la commune)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="fichier .xlsx")
    add_user_options(parser)  # reads personal data or writes: who acts (issue 8)
    parser.set_defaults(handler=run)


def period_from(args: argparse.Namespace) -> Any:
    """The period the options name (exactly one way of naming it)."""
    import re

    from bippop_desk.registry.errors import ValidationError
    from bippop_desk.registry.frdates import parse_date
    from bippop_desk.registry.services.hours_report import Period

    given = [
        bool(args.start or args.end),
        args.year is not None,
        bool(args.month),
        bool(args.quarter),
    ]
    if sum(given) != 1:
        raise ValidationError.single(
            "period", "Indiquez la période : --from et --to, ou --year, --month ou --quarter."
        )
    if args.year is not None:
        return Period.year(args.year)
    if args.month:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", args.month.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError.single("period", f"« {args.month} » n'est pas un mois (2026-03).")
        return Period.month(int(match.group(1)), int(match.group(2)))
    if args.quarter:
        match = re.fullmatch(r"(\d{4})-[TtQq]([1-4])", args.quarter.strip())
        if not match:
            raise ValidationError.single(
                "period", f"« {args.quarter} » n'est pas un trimestre (2026-T1)."
            )
        return Period.quarter(int(match.group(1)), int(match.group(2)))
    if not (args.start and args.end):
        raise ValidationError.single("period", "Indiquez --from et --to.")
    try:
        start, end = parse_date(args.start), parse_date(args.end)
    except ValueError as error:
        raise ValidationError.single("period", str(error)) from None
    return Period.between(start, end)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.reports.hours_workbook import write_hours_workbook

    period = period_from(args)
    target = output_path(args.output, "le classeur")
    with open_signed_in(args) as registry, writing(target, "le classeur"):
        result = write_hours_workbook(registry, period, target, pseudonymise=args.pseudonymise)
    print(
        f"Heures de bénévolat ({period.title}) écrites dans {result.path} : "
        f"{result.entries} saisies, {result.hours_text} heures."
    )
    return 0
