"""The public pages of a commune: home, "Je veux aider", "J'ai besoin d'aide", the
confirmation, the charter and the legal notice. Server-rendered, no JavaScript.

A form POST goes: Origin check → rate limits (per address, per commune; in the
database) → signed token (CSRF) → honeypot and minimum fill time (a robot gets the
confirmation page and nothing is kept) → the fields (forms.py) → stored or held past
the day's quota (submit.py) → 303 to the confirmation page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bippop_central.web import catalogue, forms, security, submit
from bippop_central.web.limits import Verdict, hit, over
from bippop_central.web.render import Web, log, message, not_found, page, too_many, with_csrf

FORMS: dict[str, tuple[str, str, str, Callable[..., Any]]] = {
    # kind: (path, template, title, check)
    "volunteer": ("aider", "volunteer.html", "Je veux aider", forms.volunteer),
    "request": ("besoin-d-aide", "help.html", "J'ai besoin d'aide", forms.help_request),
}


def router(web: Web) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/")
    def index() -> Response:
        return page("index.html", None, title="Choisir sa commune",
                    communes=catalogue.communes(web.engine))  # fmt: skip

    @routes.get("/mentions-legales")
    def legal_generic() -> Response:
        return page("legal.html", None, title="Mentions légales")

    @routes.get("/communes/{insee}/")
    def home(insee: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        return page("home.html", commune, title="Accueil", page="home")

    @routes.get("/communes/{insee}")
    def home_slash(insee: str) -> Response:
        return RedirectResponse(f"/communes/{insee[:10]}/", status_code=308)

    @routes.get("/communes/{insee}/mentions-legales")
    def legal(insee: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        return page("legal.html", commune, title="Mentions légales")

    @routes.get("/communes/{insee}/charte")
    def charter(insee: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        return page("charter.html", commune, title="Charte du bénévole")

    @routes.get("/communes/{insee}/merci")
    def thanks(insee: str, kind: str = "request") -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        kind = "volunteer" if kind == "volunteer" else "request"
        title = "Inscription envoyée" if kind == "volunteer" else "Demande envoyée"
        return page("thanks.html", commune, title=title, kind=kind)

    for kind, (path, _template, _title, _check) in FORMS.items():
        _add_form(routes, web, kind, path)
    return routes


def _add_form(routes: APIRouter, web: Web, kind: str, path: str) -> None:
    @routes.get(f"/communes/{{insee}}/{path}", name=f"{kind}_form")
    def show(request: Request, insee: str) -> Response:
        commune = catalogue.commune(web.engine, insee)
        if commune is None:
            return not_found(insee)
        return with_csrf(web, request, kind, lambda token: _form_page(commune, kind, token))

    @routes.post(f"/communes/{{insee}}/{path}", name=f"{kind}_post")
    async def send(request: Request, insee: str) -> Response:
        items = list((await request.form(max_files=0, max_fields=400)).multi_items())
        values = forms.FormValues([(k, v) for k, v in items if isinstance(v, str)])
        return await run_in_threadpool(_receive, web, request, insee, kind, values)


def _form_page(commune: catalogue.Commune, kind: str, token: str,
               values: forms.FormValues | None = None,
               errors: dict[str, str] | None = None) -> Response:  # fmt: skip
    _path, template, title, _check = FORMS[kind]
    errors = errors or {}
    return page(
        template, commune, status=422 if errors else 200, title=title, token=token,
        page="volunteer" if kind == "volunteer" else "help",
        values=values.as_dict() if values else {}, errors=errors,
        errors_list=forms.ordered(errors, kind),
        weekdays=forms.WEEKDAYS, periods=forms.PERIODS,
    )  # fmt: skip


def _receive(web: Web, request: Request, insee: str, kind: str,
             values: forms.FormValues) -> Response:  # fmt: skip
    commune = catalogue.commune(web.engine, insee)  # read outside any write transaction
    if commune is None:
        return not_found(insee)
    back = f"/communes/{insee}/{FORMS[kind][0]}"
    try:
        security.check_origin(request, web.config)
    except security.FormRefused as error:
        return message(commune, 403, "Envoi refusé", str(error), back=back,
                       back_label="Revenir au formulaire")  # fmt: skip
    # Every POST is counted once, in one write transaction: with the records when the
    # form is right (one write per submission), alone when it is not.
    counters = web.limit_keys(request, commune, "ip", "commune")
    if over(web.engine, counters):  # a flood: refused before any parsing
        verdict = hit(web.engine, counters)
        if not verdict.allowed:
            return too_many(commune, verdict)

    def counted(response: Response) -> Response:
        verdict = hit(web.engine, counters)
        return response if verdict.allowed else too_many(commune, verdict)

    cookie = request.cookies.get(security.CSRF_COOKIE, "")
    try:
        age = security.check_form_token(web.key, cookie, kind, values.get("csrf"),
                                        web.config.min_fill_s)  # fmt: skip
    except security.FormRefused as error:
        return counted(message(commune, 403, "Formulaire expiré", str(error), back=back,
                               back_label="Revenir au formulaire"))  # fmt: skip
    thanks = RedirectResponse(f"/communes/{insee}/merci?kind={kind}", status_code=303)
    if values.get("site_web") or age < web.config.min_fill_s:
        # A robot (the hidden field filled, or a form sent faster than a person types):
        # answered like a success so that it learns nothing; nothing is kept.
        log.info("web form %s of %s dropped as a robot's (age %.1f s)", kind, insee, age)
        return counted(thanks)
    check = FORMS[kind][3]
    submission, errors = check(values, commune)
    if submission is None:
        # The new token keeps the form's first time: the fill time counts from there.
        token = security.form_token(web.key, cookie, kind, now=time.time() - age)
        return counted(_form_page(commune, kind, token, values, errors))
    outcome = submit.store(web.engine, commune.id, commune.daily_quota, submission, counters)
    if isinstance(outcome, Verdict):
        return too_many(commune, outcome)
    log.info("web form %s of %s %s", kind, insee, outcome)
    return thanks
    check = FORMS[kind][3]
    submission, errors = check(values, commune)
    if submission is None:
        # The new token keeps the form's first time: the fill time counts from there.
        token = security.form_token(web.key, cookie, kind, now=time.time() - age)
        return _form_page(commune, kind, token, values, errors)
    outcome = submit.store(web.engine, commune.id, commune.daily_quota, submission)
    log.info("web form %s of %s %s", kind, insee, outcome)
    return thanks
