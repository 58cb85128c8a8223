"""French error bodies for everything the framework would answer in English, and the
`X-Bippop-Server-Time` header on every response (a pure ASGI middleware: cheap)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("bippop_central")

HTTP_MESSAGES = {
    400: "Requête mal formée.",
    404: "Adresse inconnue sur ce serveur.",
    405: "Méthode non autorisée pour cette adresse.",
    413: "Requête trop volumineuse.",
}

_TYPE_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "string_too_short": "Ce champ est obligatoire.",
    "string_too_long": "Texte trop long.",
    "string_pattern_mismatch": "Format invalide.",
    "too_long": "Trop d'éléments (500 modifications au plus par lot).",
    "uuid_parsing": "Identifiant invalide (UUID attendu).",
    "uuid_type": "Identifiant invalide (UUID attendu).",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "greater_than_equal": "Valeur trop petite.",
    "less_than_equal": "Valeur trop grande.",
    "literal_error": "Valeur non reconnue.",
    "date_from_datetime_parsing": "Date invalide (AAAA-MM-JJ attendu).",
    "date_parsing": "Date invalide (AAAA-MM-JJ attendu).",
    "date_type": "Date invalide (AAAA-MM-JJ attendu).",
    "bool_parsing": "Oui/non attendu (true ou false).",
    "bool_type": "Oui/non attendu (true ou false).",
    "dict_type": "Objet JSON attendu.",
    "list_type": "Liste attendue.",
    "string_type": "Texte attendu.",
    "model_attributes_type": "Objet JSON attendu.",
    "json_invalid": "Le corps de la requête n'est pas du JSON valide.",
}


def french_errors(errors: Any) -> dict[str, str]:
    result: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        name = ".".join(loc) or "requête"
        result.setdefault(name, _TYPE_MESSAGES.get(error.get("type", ""), "Valeur invalide."))
    return result


class ServerTimeMiddleware:
    """Adds the server's UTC time to every response (the desk measures clock skew)."""

    def __init__(self, app: ASGIApp, clock: Callable[[], str]) -> None:
        self.app, self.clock = app, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-bippop-server-time", self.clock().encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)


class BodyLimitMiddleware:
    """Refuses a body announced larger than `limit` with a French 413, before reading it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers", ())).get(b"content-length", b"0")
            if length.isdigit() and int(length) > self.limit:
                response = JSONResponse({"detail": HTTP_MESSAGES[413]}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_error_handlers(
    app: FastAPI, upgrade: type[Exception], upgrade_message: str, min_protocol: int,
    clock: Callable[[], str],
) -> None:  # fmt: skip
    app.add_middleware(ServerTimeMiddleware, clock=clock)

    @app.exception_handler(upgrade)
    def _upgrade(_request: Request, _error: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": upgrade_message, "min_protocol": min_protocol}, status_code=426
        )

    @app.exception_handler(RequestValidationError)
    def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = french_errors(error.errors())
        detail = "Requête invalide : " + " ".join(f"{k} : {v}" for k, v in errors.items())
        return JSONResponse({"detail": detail[:2000], "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else ""
        if not detail or detail.isascii():  # the framework's English phrase
            detail = HTTP_MESSAGES.get(error.status_code, "Requête refusée par le serveur.")
        return JSONResponse({"detail": detail}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))  # fmt: skip

    @app.exception_handler(Exception)
    def _crash(_request: Request, error: Exception) -> JSONResponse:
        log.exception("erreur interne", exc_info=error)
        # Answered by Starlette's outermost error middleware, outside ServerTimeMiddleware:
        # the header is set here so that a 500 carries the server time too.
        return JSONResponse(
            {"detail": "Erreur interne du serveur : réessayez plus tard."},
            status_code=500,
            headers={"X-Bippop-Server-Time": clock()},
        )
