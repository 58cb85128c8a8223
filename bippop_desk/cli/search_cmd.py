"""`bippop-desk search QUERY --db PATH`: print who matches, best first."""

from __future__ import annotations

import argparse
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import bounded_int


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "search", parents=[common], help="chercher une personne par nom, téléphone ou rue"
    )
    parser.add_argument("query", nargs="+", help="nom, numéro de téléphone ou rue")
    parser.add_argument(
        "--limit", type=bounded_int(1, 500, "--limit"), default=20, help="1 à 500 (20)"
    )
    add_user_options(parser)  # reads personal data or writes: who acts (issue 8)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.frdates import short_date
    from bippop_desk.registry.search import search_people

    query = " ".join(args.query)
    with open_signed_in(args) as registry:
        hits = search_people(registry, query, limit=args.limit)
    if not hits:
        print(f"Aucune personne ne correspond à « {query} ».")
        return 1
    for hit in hits:
        kind = "Bénéficiaire" if hit.kind == "beneficiaire" else "Bénévole"
        born = f" né·e le {short_date(hit.birth_date)}" if hit.birth_date else ""
        print(f"{kind:<13} {hit.full_name}{born} — {hit.phone or 'sans téléphone'} — {hit.address}")
    return 0
