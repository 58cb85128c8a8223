"""The HTTP API of docs/sync-protocol.md (FastAPI). `create_app()` is uvicorn's factory.

Endpoints are plain `def`: FastAPI runs them on its thread pool, and the database work
is blocking SQLAlchemy on one engine per worker process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from bippop_central import __version__, push, schemas
from bippop_central.auth import AuthError, Caller, caller_for, enroll
from bippop_central.db import DEFAULT_DB, make_engine
from bippop_central.errors import BodyLimitMiddleware, install_error_handlers
from bippop_central.public import FormError, help_request, volunteer_signup
from bippop_central.restore import desk_is_ahead
from bippop_central.survey_web.routes import add_survey_routes
from bippop_central.web import moderation
from bippop_central.web.routes import install as install_web

PROTOCOL = 1
MIN_PROTOCOL = 1
MIN_SCHEMA = "0005"  # the desk's first schema that can sync (its migration 0005)
UPDATE_MESSAGE = (
    "Votre version de Bip Pop Desk est trop ancienne pour ce serveur : mettez à jour "
    "Bip Pop Desk. Vos modifications restent enregistrées sur ce poste."
)
DB_ENV = "BIPPOP_CENTRAL_DB"
# 500 mutations of a few KB each fit many times over; a runaway client is cut early.
MAX_BODY_BYTES = 16 * 1024 * 1024
_INSEE = r"^(\d{5}|2[AB]\d{3})$"


class UpgradeRequired(Exception):
    pass


def server_time() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _protocol(
    x_bippop_protocol: Annotated[str | None, Header(description="Version du protocole : 1")] = None,
) -> None:
    if (
        not (x_bippop_protocol or "").strip().isdigit()
        or int(x_bippop_protocol or 0) < MIN_PROTOCOL
    ):
        raise UpgradeRequired


def _desk_versions(
    x_bippop_protocol: Annotated[str | None, Header(description="Version du protocole : 1")] = None,
    x_bippop_schema: Annotated[
        str | None, Header(description="Révision du schéma du poste, ex. 0008")
    ] = None,
) -> str:
    """The desk's schema revision, once both versions are new enough (else 426)."""
    _protocol(x_bippop_protocol)
    schema = (x_bippop_schema or "").strip()
    if not re.fullmatch(r"\d{4}", schema) or schema < MIN_SCHEMA:
        raise UpgradeRequired
    return schema


def _device(
    request: Request,
    schema: Annotated[str, Depends(_desk_versions)],
    authorization: Annotated[str | None, Header(description="Bearer <jeton>")] = None,
) -> Caller:
    return replace(caller_for(request.app.state.engine, authorization), schema=schema)


Device = Annotated[Caller, Depends(_device)]
Insee = Annotated[str, Path(pattern=_INSEE, description="Code INSEE de la commune")]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorOut, "description": "Corps de requête illisible"},
    413: {"model": schemas.ErrorOut, "description": "Requête trop volumineuse"},
    422: {"model": schemas.ValidationOut, "description": "Requête invalide"},
    426: {"model": schemas.UpgradeOut, "description": "Poste à mettre à jour"},
}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorOut, "description": "Corps de requête illisible"},
    413: {"model": schemas.ErrorOut, "description": "Requête trop volumineuse"},
    **ERRORS,
    401: {"model": schemas.ErrorOut, "description": "Jeton inconnu ou révoqué"},
    403: {"model": schemas.ErrorOut, "description": "Refusé pour cette commune"},
}
FORM_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorOut, "description": "Corps de requête illisible"},
    413: {"model": schemas.ErrorOut, "description": "Requête trop volumineuse"},
    **ERRORS,
    404: {"model": schemas.ErrorOut, "description": "Commune inconnue"},
    429: {"model": schemas.ErrorOut, "description": "Trop d'envois (adresse ou commune)"},
}


def create_app(db_url: str | None = None) -> FastAPI:
    engine: Engine = make_engine(db_url or os.environ.get(DB_ENV, DEFAULT_DB))
    app = FastAPI(
        title="Bip Pop — serveur central",
        version=__version__,
        description="Synchronisation des postes Bip Pop Desk (docs/sync-protocol.md).",
        # The framework's own limit is the backstop for bodies sent without a length
        # (it answers in plain English); BodyLimitMiddleware answers in French first.
        max_body_size=2 * MAX_BODY_BYTES,
    )
    app.add_middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES)
    app.state.engine = engine
    web = install_web(app, engine)  # the public pages and the volunteer space (web/)
    # Added last = outermost: every answer above, the 413 included, carries the time.
    install_error_handlers(app, UpgradeRequired, UPDATE_MESSAGE, MIN_PROTOCOL, server_time)

    @app.exception_handler(AuthError)
    def _auth_error(_request: Request, error: AuthError) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=error.status)

    @app.exception_handler(moderation.RateLimited)
    def _rate_limited(_request: Request, error: moderation.RateLimited) -> JSONResponse:
        return moderation.rate_limited_response(error)

    app.include_router(moderation.router(web, _device, AUTH_ERRORS))

    @app.exception_handler(FormError)
    def _form_error(_request: Request, error: FormError) -> JSONResponse:
        body: dict[str, Any] = {"detail": error.detail}
        if error.status == 422:
            body["errors"] = error.errors
        return JSONResponse(body, status_code=error.status)

    @app.post(
        "/api/v1/enroll",
        summary="Inscrire un poste",
        response_model=schemas.EnrollOut,
        responses={**ERRORS, 403: {"model": schemas.ErrorOut, "description": "Code refusé"}},
    )
    def enroll_device(
        body: schemas.EnrollIn,
        schema: Annotated[str, Depends(_desk_versions)],
        authorization: Annotated[
            str | None, Header(description="Bearer <jeton précédent du poste>, facultatif")
        ] = None,
    ) -> dict[str, Any]:
        """Un code d'inscription (usage unique, expirant) contre le jeton du poste. Le même
        poste qui renvoie le même code dans les 15 minutes reçoit un nouveau jeton (la
        réponse précédente s'est perdue) ; le jeton précédent, s'il est envoyé, est révoqué."""
        device_id = str(body.device_id)
        scheme, _, previous = (authorization or "").partition(" ")
        token, caller = enroll(
            engine, body.code, device_id, body.device_name, schema,
            insee_code=body.insee_code,
            previous_token=previous.strip() if scheme.lower() == "bearer" else None,
        )  # fmt: skip
        return {"device_token": token, "device_id": caller.device_id,
                "commune": _commune(caller), "server_time": server_time()}  # fmt: skip

    @app.post(
        "/api/v1/push",
        summary="Envoyer des modifications",
        response_model=schemas.PushOut,
        responses=AUTH_ERRORS,
        response_model_exclude_none=True,
    )
    def push_batch(body: schemas.PushIn, caller: Device) -> Response:
        """Un lot de modifications du poste (500 au plus), idempotent par `batch_id` et par
        `mutation_id` ; un résultat par modification (appliquée, doublon, conflit, refusée)."""
        text = push.push(engine, caller, body, server_time())
        return Response(text, media_type="application/json")

    @app.get(
        "/api/v1/pull",
        summary="Recevoir les changements",
        response_model=schemas.PullOut,
        responses=AUTH_ERRORS,
    )
    def pull_changes(
        caller: Device,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> Response:
        """Les fiches de la commune changées après le curseur, chacune une fois, dans
        l'ordre du curseur (jamais de trou : ordre de validation = ordre du curseur)."""
        text = push.pull_json(engine, caller, after, limit, server_time())
        return Response(text, media_type="application/json")

    @app.get(
        "/api/v1/status",
        summary="État du poste",
        response_model=schemas.StatusOut,
        responses=AUTH_ERRORS,
    )
    def status(
        caller: Device,
        cursor: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        known_epoch: Annotated[str, Query(alias="epoch", max_length=36)] = "",
    ) -> dict[str, Any]:
        """Le poste, sa commune, l'heure du serveur, le dernier numéro de la commune et
        l'époque de sa base (nouvelle après la restauration d'une sauvegarde). Le poste
        peut dire où il en est (`cursor`, dans l'époque `epoch`) : un curseur au-delà
        du dernier numéro dans la même époque veut dire une base restaurée sans
        `bippop-central restored`, et la commune change d'époque aussitôt."""
        if cursor is not None:
            desk_is_ahead(engine, caller.commune_id, cursor, known_epoch)
        seq, epoch, epoch_seq = push.commune_position(engine, caller)
        return {
            "commune": _commune(caller),
            "device_id": caller.device_id,
            "server_time": server_time(),
            "latest_seq": seq,
            "epoch": epoch,
            "epoch_seq": epoch_seq,
        }

    @app.post("/api/v1/public/communes/{insee}/volunteers", summary="Devenir bénévole",
              status_code=201,
              response_model=schemas.VolunteerSignupOut, responses=FORM_ERRORS)  # fmt: skip
    def public_volunteer(
        insee: Insee, body: schemas.VolunteerSignupIn, request: Request,
        _protocol_version: Annotated[None, Depends(_protocol)],
    ) -> dict[str, Any]:  # fmt: skip
        """Inscription en ligne d'un bénévole : « en attente », à valider en mairie
        (au-delà du quota du jour de la commune, elle attend la modération)."""
        moderation.limit_json_form(web, request, insee)
        return {"volunteer_id": volunteer_signup(engine, insee, body)}

    @app.post("/api/v1/public/communes/{insee}/requests", summary="Demander de l'aide",
              status_code=201,
              response_model=schemas.HelpRequestOut, responses=FORM_ERRORS)  # fmt: skip
    def public_request(
        insee: Insee, body: schemas.HelpRequestIn, request: Request,
        _protocol_version: Annotated[None, Depends(_protocol)],
    ) -> dict[str, Any]:  # fmt: skip
        """Demande d'aide en ligne : une personne et une demande « nouvelle » (au-delà
        du quota du jour de la commune, elle attend la modération)."""
        moderation.limit_json_form(web, request, insee)
        request_id, beneficiary_id = help_request(engine, insee, body)
        return {"request_id": request_id, "beneficiary_id": beneficiary_id}

    # The survey page of a one-time link (issue 16): HTML, outside the API document.
    add_survey_routes(app, web)
    return app


def _commune(caller: Caller) -> dict[str, str]:
    return {"insee_code": caller.insee_code, "name": caller.name,
            "departement": caller.departement}  # fmt: skip


def openapi_document() -> str:
    """The OpenAPI document as published at /openapi.json (kept in bippop_central/)."""
    app = create_app("sqlite://")
    text = json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
    app.state.engine.dispose()
    return text
