"""`bippop-desk enroll --server URL --code CODE` and `bippop-desk sync [--status]`.

Exit codes: 0 done; 1 sync failed or enrollment unconfirmed (network, server: the queue
and the pending enrollment are kept); 3 the desk must be enrolled (again); 4 the app
must be updated; 2 bad input (French message)."""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any

from bippop_desk.cli.auth import add_user_options, open_signed_in


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    enroll = subparsers.add_parser(
        "enroll", parents=[common], help="inscrire ce poste auprès de la plateforme Bip Pop"
    )
    enroll.add_argument("--server", required=True, metavar="URL", help="adresse de la plateforme")
    enroll.add_argument("--code", required=True, help="code d'inscription (usage unique)")
    enroll.add_argument("--name", default="", help="nom de ce poste (par défaut : l'ordinateur)")
    enroll.add_argument(
        "--ca-file", metavar="PEM", default="", help="autorité de certification privée (PEM)"
    )
    add_user_options(enroll)  # connecting the registry to a platform: staff, signed in
    enroll.set_defaults(handler=run_enroll)

    sync = subparsers.add_parser(
        "sync", parents=[common], help="synchroniser avec la plateforme Bip Pop"
    )
    sync.add_argument("--status", action="store_true", help="afficher l'état, sans synchroniser")
    add_user_options(sync)  # sends and receives personal data: who acts is signed in
    sync.set_defaults(handler=run_sync)


def run_enroll(args: argparse.Namespace) -> int:
    from bippop_desk.sync.engine import EnrollUnconfirmed, enroll

    name = args.name or f"Poste {socket.gethostname()}"
    with open_signed_in(args) as registry:
        try:
            result = enroll(registry, args.server, args.code, name, verify=args.ca_file or True)
        except EnrollUnconfirmed as error:  # a network problem: exit 1, like a sync
            print(f"Erreur : {error}", file=sys.stderr)
            return 1
    print(
        f"Poste inscrit auprès de {result.server_url} pour {result.commune_name} "
        f"({result.commune_insee})."
    )
    print("Lancez « bippop-desk sync » pour la première synchronisation.")
    return 0


def _when(moment: Any) -> str:
    from bippop_desk.registry.clock import utc_to_local
    from bippop_desk.registry.frdates import short_datetime

    return short_datetime(utc_to_local(moment)) if moment else "jamais"


def run_sync(args: argparse.Namespace) -> int:
    from bippop_desk.sync.engine import sync_once, sync_status

    with open_signed_in(args) as registry:
        if args.status:
            status = sync_status(registry)
            if not status.enrolled:
                if status.enrollment_pending:
                    print(
                        "Inscription en attente de confirmation : « bippop-desk sync » la "
                        "termine dès que la plateforme répond."
                    )
                    return 1
                print(
                    "Ce poste n'est pas inscrit : « bippop-desk enroll --server URL --code CODE »."
                )
                return 3
            print(f"Plateforme : {status.server_url} (poste « {status.device_name} »)")
            print(f"Dernière synchronisation : {_when(status.last_sync_at)}")
            print(f"Dernière synchronisation réussie : {_when(status.last_success_at)}")
            print(f"Modifications en attente d'envoi : {status.pending_count}")
            print(f"Modifications refusées : {status.rejected_count}")
            print(f"Conflits à régler : {status.open_conflicts}")
            if status.clock_offset_s is not None:
                print(f"Écart d'horloge avec la plateforme : {status.clock_offset_s:+.1f} s")
            if status.last_error:
                print(f"Dernier problème : {status.last_error}")
            return 0
        report = sync_once(registry)
    if report.error:
        print(f"Erreur : {report.error}")
        return 3 if report.needs_enroll else 4 if report.needs_update else 1
    print(
        f"Synchronisé : {report.pushed} modification(s) envoyée(s), "
        f"{report.pulled} reçue(s), {report.rejected} refusée(s), "
        f"{report.conflicts} conflit(s)."
    )
    for warning in report.warnings:
        print(f"Attention : {warning}")
    return 0
