"""`bippop-desk demo --people N --db PATH`: a realistic demo commune."""

from __future__ import annotations

import argparse
import time
from typing import Any

from bippop_desk.cli.common import open_registry


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[common], help="créer une commune de démonstration dans un registre vide"
    )
    parser.add_argument("--people", type=int, default=300, help="nombre de bénéficiaires")
    parser.add_argument("--volunteers", type=int, default=None, help="nombre de bénévoles")
    parser.add_argument("--seed", type=int, default=1942)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.demo import generate_demo

    if args.people < 1:
        print("Erreur : --people doit être au moins 1.")
        return 2
    started = time.perf_counter()
    with open_registry(args) as registry:
        try:
            summary = generate_demo(registry, args.people, args.volunteers, args.seed)
        except ValueError as error:
            print(f"Erreur : {error}")
            return 2
    elapsed = time.perf_counter() - started
    print(
        f"Commune de démonstration créée en {elapsed:.1f} s : "
        f"{summary.beneficiaries} bénéficiaires, "
        f"{summary.volunteers} bénévoles, {summary.requests} demandes, {summary.missions} "
        f"interventions, {summary.hours_entries} saisies d'heures."
    )
    return 0
