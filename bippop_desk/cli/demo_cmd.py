"""`bippop-desk demo --people N --db PATH`: a realistic demo commune."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from bippop_desk.cli.common import bounded_int, open_registry


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[common], help="créer une commune de démonstration dans un registre vide"
    )
    parser.add_argument(
        "--people",
        type=bounded_int(1, 200_000, "--people"),
        default=300,
        help="nombre de bénéficiaires (1 à 200 000)",
    )
    parser.add_argument(
        "--volunteers",
        type=bounded_int(0, 50_000, "--volunteers"),
        default=None,
        help="nombre de bénévoles",
    )
    parser.add_argument("--seed", type=int, default=1942)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.demo import generate_demo

    started = time.perf_counter()
    with open_registry(args, create=True) as registry:
        try:
            summary = generate_demo(registry, args.people, args.volunteers, args.seed)
        except ValueError as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 2
    elapsed = time.perf_counter() - started
    print(
        f"Commune de démonstration créée en {elapsed:.1f} s : "
        f"{summary.beneficiaries} bénéficiaires, "
        f"{summary.volunteers} bénévoles, {summary.requests} demandes, {summary.missions} "
        f"interventions, {summary.hours_entries} saisies d'heures."
    )
    return 0
