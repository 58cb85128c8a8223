"""GET and POST /enquete/<link>: the questionnaire page and its answers, in the public
pages' layout (bippop_central/web: base.html, site.css, the message page), with their
CSRF token (signed with the browser's cookie), Origin check, rate limit and security
headers (web/routes.py lists "/enquete/" among its page prefixes).

The link's secret is the page's credential: the page is never cached nor indexed, and
only the link's holder can send it (the secret is in the form's own address).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from bippop_central.survey_web.form import check_all
from bippop_central.survey_web.store import Found, look_up, save_answers
from bippop_central.web import catalogue, security
from bippop_central.web.catalogue import Commune
from bippop_central.web.render import ENV as WEB_ENV
from bippop_central.web.render import HERE as WEB_HERE
from bippop_central.web.render import Web, message, with_csrf

# This folder's templates first, then the public pages' (base.html, the layout).
ENV = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(Path(__file__).parent / "templates"),
         FileSystemLoader(WEB_HERE / "templates")]
    ),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip
ENV.filters.update(WEB_ENV.filters)
PURPOSE = "enquete"
MAX_FORM_BYTES = 256 * 1024
MESSAGES = {
    "unknown": (404, "Lien inconnu", "Ce lien n'est pas (ou plus) valable. Il a peut-être été "
                "remplacé par un nouveau : demandez-le à votre mairie."),
    "answered": (200, "Merci !", "Vos réponses sont enregistrées. Ce lien ne sert qu'une fois."),
    "closed": (410, "Enquête terminée", "Cette enquête est close : merci de votre intérêt."),
    "too_big": (413, "Envoi refusé", "Vos réponses sont trop longues pour être enregistrées."),
}  # fmt: skip


def _commune(web: Web, found: Found) -> Commune | None:
    return catalogue.commune(web.engine, found.commune) if found.commune else None


def _said(web: Web, found: Found, state: str | None = None) -> Response:
    status, title, text = MESSAGES[state or found.state]
    response = message(_commune(web, found), status, title, text)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _form(commune: Commune | None, found: Found, token: str, status: int = 200,
          values: dict[str, list[str]] | None = None,
          errors: dict[str, str] | None = None) -> Response:  # fmt: skip
    from starlette.responses import HTMLResponse

    html = ENV.get_template("survey.html").render(
        commune=commune, found=found, token=token, values=values or {}, errors=errors or {},
        title=found.title,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status, headers={"X-Robots-Tag": "noindex, nofollow"})


def add_survey_routes(app: FastAPI, web: Web) -> None:
    @app.get("/enquete/{link}", include_in_schema=False)
    def survey_page(link: str, request: Request) -> Response:
        found = look_up(web.engine, link)
        if found.state != "ok":
            return _said(web, found)
        commune = _commune(web, found)
        return with_csrf(web, request, PURPOSE, lambda token: _form(commune, found, token))

    @app.post("/enquete/{link}", include_in_schema=False)
    async def survey_answers(link: str, request: Request) -> Response:
        return await run_in_threadpool(_receive, web, link, request, await request.body())


def _receive(web: Web, link: str, request: Request, body: bytes) -> Response:
    found = look_up(web.engine, link)
    if found.state != "ok":
        return _said(web, found)
    commune = _commune(web, found)
    try:
        security.check_origin(request, web.config)
    except security.FormRefused as refused:
        return message(commune, 403, "Envoi refusé", str(refused))
    limited = web.limit(request, commune, "ip")
    if limited is not None:
        return limited
    if len(body) > MAX_FORM_BYTES:
        return _said(web, found, "too_big")
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    cookie = request.cookies.get(security.CSRF_COOKIE, "")
    try:
        security.check_form_token(web.key, cookie, PURPOSE, _first(form, "csrf"), 0)
    except security.FormRefused as refused:
        return message(commune, 403, "Formulaire expiré", str(refused))
    checked = check_all(list(found.questions), form)
    if checked.errors:
        token = _first(form, "csrf")
        return _form(commune, found, token, 422, form, checked.errors)
    saved = save_answers(web.engine, link, checked.answers)
    return _said(web, saved)


def _first(form: dict[str, list[str]], name: str) -> str:
    values: Any = form.get(name) or [""]
    return str(values[0])
