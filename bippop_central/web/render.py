"""The pages' shared machinery: the Jinja2 environment (autoescaped), the French
message pages (403, 404, 429), the CSRF cookie handed to every form page, and the one
object (`Web`) the routes share: engine, settings, signing key."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bippop_central.web import security
from bippop_central.web.catalogue import Commune
from bippop_central.web.config import Limit, WebConfig
from bippop_central.web.limits import Verdict, hit

HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
log = logging.getLogger("bippop_central.web")
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def frdate(day: dt.date) -> str:
    """ "mardi 8 décembre 2026"."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


ENV.filters["frdate"] = frdate
ENV.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]


@dataclass
class Web:
    engine: Engine
    config: WebConfig
    _key: bytes | None = field(default=None, repr=False)

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = security.signing_key(self.engine)
        return self._key

    def limit_keys(self, request: Request, commune: Commune | None,
                   *names: str) -> list[tuple[str, Limit]]:  # fmt: skip
        """The counters this attempt is charged to (per address: `ip`, `mail`,
        `space`; per commune: `commune`), in the order they are checked."""
        address = security.client_address(request, self.config)
        return [
            (f"{name}:{commune.insee if name == 'commune' and commune else address}",
             self.config.limits[name])
            for name in names
        ]  # fmt: skip

    def limit(self, request: Request, commune: Commune | None, *names: str,
              extra: list[tuple[str, Limit]] | None = None) -> Response | None:  # fmt: skip
        """Count this attempt against the named limits: None when allowed, else the
        French 429 page."""
        verdict = hit(self.engine, self.limit_keys(request, commune, *names) + (extra or []))
        return None if verdict.allowed else too_many(commune, verdict)


def too_many(commune: Commune | None, verdict: Verdict) -> Response:
    minutes = max(1, -(-verdict.retry_after_s // 60))
    lines = [
        "Vos informations n'ont pas été enregistrées : trop d'envois sont arrivés depuis "
        "votre connexion ou pour cette commune.",
        f"Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.",
    ]
    if commune and commune.contact.phone:
        lines.append(f"Vous pouvez aussi appeler la mairie au {commune.contact.phone}.")
    response = page("message.html", commune, status=429, title="Trop d'envois", lines=lines,
                    warning=True)  # fmt: skip
    response.headers["Retry-After"] = str(verdict.retry_after_s)
    return response


def page(template: str, commune: Commune | None, *, status: int = 200, **context: Any) -> Response:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    html = ENV.get_template(template).render(commune=commune, **context)
    return HTMLResponse(html, status_code=status)


def message(commune: Commune | None, status: int, title: str, *lines: str,
            back: str = "", back_label: str = "") -> Response:  # fmt: skip
    return page("message.html", commune, status=status, title=title, lines=list(lines),
                warning=status >= 400, back=back, back_label=back_label)  # fmt: skip


def not_found(insee: str) -> Response:
    return message(None, 404, "Commune introuvable",
                   f"Aucune commune « {insee[:10]} » n'est ouverte sur Bip Pop.",
                   back="/", back_label="Voir les communes ouvertes")  # fmt: skip


def csrf_cookie(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie, or a new one (True: to be set on the response)."""
    value = request.cookies.get(security.CSRF_COOKIE, "")
    if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return security.new_csrf_cookie(), True


def with_csrf(web: Web, request: Request, purpose: str,
              build: Any) -> Response:  # fmt: skip
    """A form page: `build(token)` makes the response; the cookie is set when new."""
    cookie, new = csrf_cookie(request)
    response: Response = build(security.form_token(web.key, cookie, purpose))
    if new:
        security.set_cookie(response, request, web.config, security.CSRF_COOKIE, cookie, None)
    return response
