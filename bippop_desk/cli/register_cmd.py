"""`bippop-desk register …`: the vulnerable-persons register and its alerts from the
command line, as the signed-in user (`--user`); the services check their access.

  register list                     who is in the register (late acknowledgements marked)
  register letter ENTRY -o FILE     the acknowledgement letter (PDF)
  register prefet -o DOSSIER        the préfet export (xlsx + PDF), alert in force only
  register calls -o FILE            call sheets of the alert in force (PDF)
  register person-data PERSON -o DOSSIER   a person's data (RGPD: PDF + JSON)
  register erase PERSON --yes       erase a person's data (RGPD), irreversible
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in
from bippop_desk.cli.common import CliError, output_path


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "register", parents=[common], help="registre des personnes vulnérables, alertes, RGPD"
    )
    add_user_options(parser)
    parser.add_argument(
        "action", choices=("list", "letter", "prefet", "calls", "person-data", "erase")
    )
    parser.add_argument("record", nargs="?", default="", help="n° d'inscription ou de fiche")
    parser.add_argument("-o", "--output", default="", help="fichier ou dossier à écrire")
    parser.add_argument("--yes", action="store_true", help="confirmer l'effacement")
    parser.set_defaults(handler=run)


def _folder(value: str) -> Path:
    path = Path(value or ".").expanduser()
    if not path.is_dir():
        raise CliError(f"« {value} » n'est pas un dossier existant.")
    return path


def _need(value: str, what: str) -> str:
    if not value:
        raise CliError(f"Indiquez {what}.")
    return value


def run(args: argparse.Namespace) -> int:
    from bippop_desk.registry.frdates import short_date
    from bippop_desk.registry.services import campaigns, register

    with open_signed_in(args) as registry:
        if args.action == "list":
            rows = register.register_list(registry)
            for row in rows:
                ack = (
                    f"AR envoyé le {short_date(row.ack_sent_on)}"
                    if row.ack_sent_on
                    else f"AR à envoyer avant le {short_date(row.ack_due)}"
                    + (" — EN RETARD" if row.ack_overdue else "")
                )
                print(f"{row.entry_id}  {row.name:<30} {row.phone:<16} {ack}")
            print(f"{len(rows)} personne(s) inscrite(s).")
            return 0
        if args.action == "letter":
            from bippop_desk.reports.register_letter import write_letter

            entry = _need(args.record, "le n° d'inscription")
            path = output_path(_need(args.output, "le fichier : -o FICHIER.pdf"), "la lettre")
            write_letter(register.entry_detail(registry, entry), registry.commune(), path)
            print(f"Lettre écrite : {path}")
            return 0
        alert = campaigns.active_campaign(registry)
        commune = registry.commune().name
        if args.action == "prefet":
            from bippop_desk.reports.register_export import write_prefet_pdf, write_prefet_xlsx

            folder = _folder(args.output)
            listed = register.prefet_export_rows(registry, alert.id if alert else "")
            assert alert is not None  # prefet_export_rows refused otherwise
            stem = folder / f"registre-prefet-{alert.starts_on.isoformat()}"
            for path in (
                write_prefet_xlsx(listed, alert, commune, stem.with_suffix(".xlsx")),
                write_prefet_pdf(listed, alert, commune, stem.with_suffix(".pdf")),
            ):
                print(f"Écrit : {path}")
            return 0
        if args.action == "calls":
            from bippop_desk.reports.call_sheet import write_call_sheet

            if alert is None:
                raise CliError("Aucune alerte en cours : rien à appeler.")
            path = output_path(_need(args.output, "le fichier : -o FICHIER.pdf"), "les fiches")
            write_call_sheet(campaigns.call_sheet_rows(registry, alert.id), alert, commune, path)
            print(f"Fiches d'appel écrites : {path}")
            return 0
        if args.action == "person-data":
            from bippop_desk.registry.services.person_export import (
                default_name,
                person_data,
                write_json,
            )
            from bippop_desk.reports.person_data import write_person_pdf

            data = person_data(registry, _need(args.record, "le n° de fiche de la personne"))
            folder = _folder(args.output)
            for path in (
                write_person_pdf(data, folder / default_name(data, "pdf"), commune),
                write_json(data, folder / default_name(data, "json")),
            ):
                print(f"Écrit : {path}")
            return 0
        from bippop_desk.registry.services.erasure import erase_person

        person = _need(args.record, "le n° de fiche de la personne")
        if not args.yes:
            raise CliError("L'effacement est définitif : ajoutez --yes pour confirmer.")
        report = erase_person(registry, "beneficiary", person)
        print(
            f"Données effacées : {report.records} fiche(s) anonymisée(s), "
            f"{report.journal_events} résumé(s) du journal, {report.drafts} brouillon(s)."
        )
        return 0
