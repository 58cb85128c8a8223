"""Adds the web pages to the FastAPI app: the public pages, the volunteer space, the
moderation API of the desks, the stylesheet, and the security headers of every page."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from bippop_central.web import pages, space
from bippop_central.web.config import WebConfig, from_environment
from bippop_central.web.render import HERE, Web
from bippop_central.web.security import SecurityHeaders

# "/enquete/": the survey page of a one-time link (bippop_central/survey_web, issue 16).
PAGE_PREFIXES = ("/communes/", "/static/", "/mentions-legales", "/enquete/")


def install(app: FastAPI, engine: Engine, config: WebConfig | None = None) -> Web:
    web = Web(engine, config or from_environment())
    app.include_router(pages.router(web))
    app.include_router(space.router(web))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders, prefixes=(*PAGE_PREFIXES,), exact=("/",))
    app.state.web = web
    return web
