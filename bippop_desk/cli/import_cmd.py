"""`bippop-desk import beneficiaries|volunteers|register FICHIER [--dry-run]`: people from a
spreadsheet (.xlsx, .ods, .csv), checked row by row, written all or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in

SHOWN = 50  # rejected rows and duplicates printed; the rest are counted


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "import",
        parents=[common],
        help="importer des bénéficiaires, des bénévoles ou le registre depuis un tableur",
    )
    parser.add_argument("kind", choices=["beneficiaries", "volunteers", "register"])
    parser.add_argument("file", metavar="FICHIER", help=".xlsx, .ods ou .csv")
    parser.add_argument(
        "--dry-run", action="store_true", help="vérifier et montrer sans rien enregistrer"
    )
    parser.add_argument(
        "--include-possible-duplicates",
        action="store_true",
        help="importer aussi les doublons possibles (même nom, date de naissance inconnue)",
    )
    add_user_options(parser)  # reads personal data or writes: who acts (issue 8)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.importing import apply_import, prepare_import
    from bippop_desk.registry.importing.columns import field_labels

    path = Path(args.file).expanduser()
    with open_signed_in(args) as registry:
        plan = prepare_import(registry, path, args.kind)
        labels = field_labels(args.kind)
        columns = ", ".join(
            f"« {plan.headers[index]} » → {labels[key]}"
            for index, key in sorted(plan.mapping.items())
        )
        print(f"Fichier : {plan.file_name} (en-têtes ligne {plan.header_line})")
        print(f"Colonnes : {columns}")
        for row in plan.rejected[:SHOWN]:
            name = f" ({row.name})" if row.name else ""
            print(f"  Ligne {row.line} refusée{name} : {row.reason}")
        if len(plan.rejected) > SHOWN:
            print(f"  … et {len(plan.rejected) - SHOWN} autre(s) ligne(s) refusée(s).")
        for dup in plan.duplicates[:SHOWN]:
            what = "déjà dans le registre" if dup.certain else "doublon possible"
            print(f"  Ligne {dup.line} ({dup.name}) : {what}, {dup.reason} — {dup.existing}")
        if len(plan.duplicates) > SHOWN:
            print(f"  … et {len(plan.duplicates) - SHOWN} autre(s) doublon(s).")
        for warning in plan.warnings[:SHOWN]:
            print(f"  Ligne {warning.line} ({warning.name}) : {warning.message}")
        if len(plan.warnings) > SHOWN:
            print(f"  … et {len(plan.warnings) - SHOWN} autre(s) remarque(s).")
        include = bool(args.include_possible_duplicates)
        print(f"Bilan : {plan.summary(include)}.")
        if plan.already_imported:
            print(plan.already_imported)
            return 0
        if args.dry_run:
            print("Essai à blanc (--dry-run) : rien n'a été enregistré.")
            return 0
        result = apply_import(registry, plan, include_possible_duplicates=include)
        print(f"Import terminé : {result.sentence(args.kind)}")
    return 0
