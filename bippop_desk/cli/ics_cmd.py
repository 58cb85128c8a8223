"""`bippop-desk ics --volunteer NAME_OR_ID [--from DATE] [--weeks N] -o FILE.ics`:
a volunteer's planned visits as a calendar file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import bounded_int, check_date, output_path, writing


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "ics",
        parents=[common],
        help="exporter les interventions planifiées d'un bénévole (calendrier .ics)",
    )
    parser.add_argument(
        "--volunteer", required=True, metavar="NOM_OU_ID", help="nom du bénévole ou identifiant"
    )
    parser.add_argument(
        "--from", dest="start", metavar="DATE", help="premier jour (par défaut : aujourd'hui)"
    )
    parser.add_argument(
        "--weeks", type=bounded_int(1, 52, "--weeks"), default=4, help="nombre de semaines (1 à 52)"
    )
    parser.add_argument("-o", "--output", required=True, metavar="FICHIER.ics")
    add_user_options(parser)  # reads personal data or writes: who acts (issue 8)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.frdates import parse_date, short_date
    from bippop_desk.registry.models import Volunteer
    from bippop_desk.registry.search import search_people
    from bippop_desk.registry.textkeys import fold
    from bippop_desk.reports.ics import write_volunteer_calendar

    try:
        start = parse_date(args.start) if args.start else None
    except ValueError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    if start is not None:
        check_date(start, "--from")
    target = output_path(args.output, "le calendrier")
    with open_signed_in(args) as registry:
        with registry.session() as session:
            known = session.get(Volunteer, args.volunteer)
        if known is not None and known.deleted_at is None:
            volunteer_id = known.id
        else:
            hits = [h for h in search_people(registry, args.volunteer) if h.kind == "benevole"]
            exact = [h for h in hits if fold(h.full_name) == fold(args.volunteer)]
            chosen = exact if len(exact) == 1 else hits
            if not chosen:
                print(
                    f"Erreur : aucun bénévole ne correspond à « {args.volunteer} ».",
                    file=sys.stderr,
                )
                return 1
            if len(chosen) > 1:
                print(f"Plusieurs bénévoles correspondent à « {args.volunteer} » :")
                for hit in chosen:
                    print(f"  {hit.id}  {hit.full_name} — {hit.phone or 'sans téléphone'}")
                print("Relancez avec l'identifiant (--volunteer ID).")
                return 1
            volunteer_id = chosen[0].id
        with writing(target, "le calendrier"):
            export = write_volunteer_calendar(registry, volunteer_id, target, start, args.weeks)
    plural = "s" if export.events > 1 else ""
    print(
        f"{export.events} intervention{plural} de {export.volunteer} "
        f"du {short_date(export.start)} au {short_date(export.end)} écrite{plural} "
        f"dans {args.output}."
    )
    return 0
