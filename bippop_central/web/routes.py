"""Adds the web pages to the FastAPI app: the public pages, the volunteer space, the
moderation API of the desks, the stylesheet, and the security headers of every page."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from bippop_central.web import pages, space
from bippop_central.web.config import WebConfig, from_environment
from bippop_central.web.render import HERE, Web, message
from bippop_central.web.security import SecurityHeaders

# "/enquete/": the survey page of a one-time link (bippop_central/survey_web, issue 16).
PAGE_PREFIXES = ("/communes/", "/static/", "/mentions-legales", "/enquete/")


def _unknown_pages() -> APIRouter:
    """A mistyped address of the site gets a French page, not the API's JSON 404."""
    routes = APIRouter(include_in_schema=False)

    @routes.get("/communes/{rest:path}")
    def unknown(rest: str) -> Response:
        return message(None, 404, "Page introuvable",
                       "Cette adresse ne correspond à aucune page de Bip Pop.",
                       back="/", back_label="Voir les communes ouvertes")  # fmt: skip

    return routes


def install(app: FastAPI, engine: Engine, config: WebConfig | None = None) -> Web:
    web = Web(engine, config or from_environment())
    app.include_router(pages.router(web))
    app.include_router(space.router(web))
    app.include_router(_unknown_pages())
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders, prefixes=(*PAGE_PREFIXES,), exact=("/",))
    app.state.web = web
    return web
