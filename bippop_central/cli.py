"""`bippop-central`: serve, communes, enrollment codes, devices, and the demo server."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bippop_central import admin
from bippop_central.db import (
    DEFAULT_DB,
    DEFAULT_POOL_SIZE,
    POOL_ENV,
    make_engine,
    migrate,
    normalise_url,
    pool_size,
)

DEMO_INSEE, DEMO_NAME, DEMO_DEPARTEMENT = "60159", "Compiègne", "60"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"bippop-central : {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bippop-central", description="Serveur central Bip Pop.")
    parser.add_argument(
        "--db",
        default=os.environ.get("BIPPOP_CENTRAL_DB", DEFAULT_DB),
        help="base : chemin d'un fichier SQLite ou URL postgresql://…",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    for name in ("serve", "demo"):
        serve = sub.add_parser(
            name,
            help="démarrer le serveur"
            if name == "serve"
            else "commune de démonstration + code d'inscription, puis servir",
        )
        serve.add_argument("--db", default=argparse.SUPPRESS)
        serve.add_argument("--port", type=int, default=8765)
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--workers", type=int, default=1)
        serve.add_argument(
            "--pool-size", type=int, default=None,
            help=f"connexions PostgreSQL par worker (défaut {DEFAULT_POOL_SIZE}, ou "
            f"{POOL_ENV}) ; hôtes x workers x pool < max_connections",
        )  # fmt: skip
        serve.add_argument("--ssl-certfile", default=None)
        serve.add_argument("--ssl-keyfile", default=None)

    commune = sub.add_parser("commune", help="communes").add_subparsers(
        dest="action", required=True, parser_class=_Parser)  # fmt: skip
    add = commune.add_parser("add", help="ajouter une commune")
    add.add_argument("insee")
    add.add_argument("name")
    add.add_argument("--departement", default=None)
    add.add_argument("--db", default=argparse.SUPPRESS)

    web = commune.add_parser("web", help="contact de la mairie et quota des pages web")
    web.add_argument("insee")
    for option in ("service-name", "address", "phone", "email", "opening-hours"):
        web.add_argument(f"--{option}", default=None)
    web.add_argument("--quota", type=int, default=None,
                     help="inscriptions et demandes web par jour avant modération")  # fmt: skip
    web.add_argument("--db", default=argparse.SUPPRESS)

    code = sub.add_parser("enroll-code", help="code d'inscription à usage unique")
    code.add_argument("insee")
    code.add_argument("--days", type=int, default=7)
    code.add_argument("--db", default=argparse.SUPPRESS)

    device = sub.add_parser("device", help="postes inscrits").add_subparsers(
        dest="action", required=True, parser_class=_Parser)  # fmt: skip
    device.add_parser("list", help="lister les postes").add_argument(
        "--db", default=argparse.SUPPRESS)  # fmt: skip
    restored = sub.add_parser(
        "restored",
        help="après la restauration d'une sauvegarde de la base : prévenir les postes",
    )
    restored.add_argument("--db", default=argparse.SUPPRESS)
    openapi = sub.add_parser("openapi", help="écrire le document OpenAPI de l'API")
    openapi.add_argument("--output", default="-", help="fichier (par défaut : la sortie)")
    revoke = device.add_parser("revoke", help="révoquer un poste")
    revoke.add_argument("device_id")
    revoke.add_argument("--db", default=argparse.SUPPRESS)
    device.add_parser(
        "revoke-unseen", help="révoquer les postes jamais vus un jour après leur inscription"
    ).add_argument("--db", default=argparse.SUPPRESS)
    return parser


def _engine(url: str) -> Engine:
    migrate(url)
    return make_engine(url)


def _serve(args: argparse.Namespace, url: str) -> int:
    import uvicorn

    if not 1 <= args.workers <= 64:
        raise admin.AdminError("Le nombre de workers doit aller de 1 à 64.")
    if args.pool_size is not None:
        if not 1 <= args.pool_size <= 200:
            raise admin.AdminError("La taille du pool doit aller de 1 à 200 connexions.")
        os.environ[POOL_ENV] = str(args.pool_size)  # the workers read it at start
    try:
        pool_size()
    except ValueError as error:
        raise admin.AdminError(str(error)) from None
    with socket.socket() as probe:  # a clear French message rather than uvicorn's
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((args.host, args.port))
        except OSError as error:
            raise admin.AdminError(
                f"Impossible d'écouter sur {args.host}:{args.port} ({error.strerror}) : "
                "le port est-il déjà pris ?"
            ) from None
    # The workers are separate processes: they find the database in the environment.
    os.environ["BIPPOP_CENTRAL_DB"] = url
    scheme = "https" if args.ssl_certfile else "http"
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"bippop-central : {scheme}://{args.host}:{args.port}, {args.workers} worker(s), "
          f"base {shown}", flush=True)  # fmt: skip
    uvicorn.run(
        "bippop_central.app:create_app", factory=True, host=args.host, port=args.port,
        workers=args.workers, log_level="warning", ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )  # fmt: skip
    return 0


def _reapply_erasures(url: str) -> None:
    """Before serving: the erasures noted outside the database that a restored backup
    forgot are done again (bippop_central/erasures.py, issue 18)."""
    from bippop_central.erasures import reapply

    engine = make_engine(url)
    try:
        count = reapply(engine)
    finally:
        engine.dispose()
    if count:
        print(f"{count} effacement(s) réappliqué(s) (base restaurée depuis une sauvegarde ?).")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = normalise_url(args.db)
    try:
        if args.command == "openapi":
            from bippop_central.app import openapi_document

            document = openapi_document()
            if args.output == "-":
                sys.stdout.write(document)
            else:
                Path(args.output).write_text(document, encoding="utf-8")
            return 0
        if args.command == "serve":
            migrate(url)
            _reapply_erasures(url)
            return _serve(args, url)
        engine = _engine(url)
        if args.command == "demo":
            admin.add_commune(engine, DEMO_INSEE, DEMO_NAME, DEMO_DEPARTEMENT)
            code = admin.enroll_code(engine, DEMO_INSEE)
            scheme = "https" if args.ssl_certfile else "http"
            print(f"Serveur de démonstration : {scheme}://{args.host}:{args.port}")
            print(f"Commune : {DEMO_INSEE} {DEMO_NAME}")
            print(f"Code d'inscription (7 jours, usage unique) : {code}")
            print(f"Sur le poste : bippop-desk enroll --server {scheme}://{args.host}:{args.port}"
                  f" --code {code}", flush=True)  # fmt: skip
            engine.dispose()
            return _serve(args, url)
        if args.command == "commune" and args.action == "web":
            from bippop_central.web.catalogue import set_contact

            if args.quota is not None and not 0 <= args.quota <= 100_000:
                raise admin.AdminError("Le quota va de 0 à 100 000 par jour.")
            contact = {name: getattr(args, name) for name in
                       ("service_name", "address", "phone", "email", "opening_hours")}  # fmt: skip
            try:
                set_contact(engine, args.insee.strip().upper(), quota=args.quota, **contact)
            except LookupError:
                raise admin.AdminError(f"Commune inconnue : {args.insee}.") from None
            print(f"Pages web de la commune {args.insee} mises à jour.")
        elif args.command == "commune":
            added = admin.add_commune(engine, args.insee, args.name, args.departement)
            print(f"Commune {args.insee} ajoutée." if added else
                  f"La commune {args.insee} existe déjà : rien n'a changé.")  # fmt: skip
        elif args.command == "restored":
            from bippop_central.restore import mark_restored

            count = mark_restored(engine)
            print(f"Base restaurée : {count} commune(s) dans une nouvelle époque. À leur "
                  "prochaine synchronisation, les postes renvoient ce que la sauvegarde n'a "
                  "pas et relisent toutes leurs fiches.")  # fmt: skip
        elif args.command == "enroll-code":
            print(admin.enroll_code(engine, args.insee, args.days))
        elif args.command == "device" and args.action == "list":
            devices = admin.list_devices(engine)
            if not devices:
                print("Aucun poste inscrit.")
            for d in devices:
                print(f"{d.device_id}  {d.insee_code}  inscrit {d.enrolled_at}  {d.state}  "
                      f"dernier contact {d.last_seen_at}  schéma {d.schema_revision or '?'}  "
                      f"{d.name}")  # fmt: skip
        elif args.command == "device" and args.action == "revoke-unseen":
            revoked = admin.revoke_unseen(engine)
            for device_id in revoked:
                print(f"Poste {device_id} révoqué (jamais vu depuis son inscription).")
            print(f"{len(revoked)} poste(s) révoqué(s).")
        elif args.command == "device":
            admin.revoke(engine, args.device_id)
            print(f"Poste {args.device_id} révoqué.")
        return 0
    except admin.AdminError as error:
        print(f"bippop-central : {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"bippop-central : base de données inaccessible ({type(error).__name__}) : "
              f"{str(error).splitlines()[0][:200]}", file=sys.stderr)  # fmt: skip
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
