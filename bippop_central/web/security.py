"""What keeps the forms safe on the Internet, without JavaScript and without state in
process memory: signed form tokens (CSRF, with the time the form was served, which
gives the minimum fill time), the Origin check, the client's address (X-Forwarded-For
believed only from a trusted proxy), cookies, and the security headers of every page.

The signing key is one row of `web_secret` (BIPPOP_WEB_SECRET overrides it): every
worker and every host of one platform signs and checks with the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import time
from urllib.parse import urlsplit

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bippop_central.db import reading, writing
from bippop_central.web.config import WebConfig
from bippop_central.web.tables import secret_t

CSRF_COOKIE = "bp_csrf"
SESSION_COOKIE = "bp_session"
TOKEN_MAX_AGE_S = 4 * 3600  # a form left open over lunch still sends
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
]


class FormRefused(Exception):
    """The form cannot be taken (token, origin): a French message, a 403 page."""


def signing_key(engine: Engine) -> bytes:
    """The platform's key: the environment's, else the database's (made once)."""
    if os.environ.get("BIPPOP_WEB_SECRET"):
        return os.environ["BIPPOP_WEB_SECRET"].encode()
    query = select(secret_t.c.value).where(secret_t.c.name == "forms")
    with reading(engine) as conn:
        value = conn.execute(query).scalar()
    if value is None:
        try:
            with writing(engine) as conn:
                conn.execute(insert(secret_t).values(name="forms", value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another worker made it first: use theirs
        with reading(engine) as conn:
            value = conn.execute(query).scalar_one()
    return str(value).encode()


def _sign(key: bytes, *parts: str) -> str:
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()[:40]


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


def form_token(key: bytes, cookie: str, purpose: str, now: float | None = None) -> str:
    """The hidden field of a form: when it was served, signed with the browser's cookie."""
    issued = str(int(now if now is not None else time.time()))
    return f"{issued}.{_sign(key, cookie, purpose, issued)}"


def check_form_token(
    key: bytes, cookie: str, purpose: str, token: str, min_age_s: float, now: float | None = None
) -> float:
    """The form's age in seconds; FormRefused when forged, stale or from another browser.
    A form sent faster than `min_age_s` is not refused here: the caller treats it as a
    robot's (answered like a success, nothing kept)."""
    now = now if now is not None else time.time()
    issued, _, signature = token.partition(".")
    if not cookie or not issued.isdigit() or not signature:
        raise FormRefused(_EXPIRED)
    if not hmac.compare_digest(signature, _sign(key, cookie, purpose, issued)):
        raise FormRefused(_EXPIRED)
    age = now - int(issued)
    if age > TOKEN_MAX_AGE_S or age < -60:
        raise FormRefused(_EXPIRED)
    return age


_EXPIRED = (
    "Ce formulaire a expiré ou n'a pas été ouvert depuis ce site (les cookies sont-ils "
    "acceptés ?). Rechargez la page et envoyez-le à nouveau."
)
_FOREIGN = "Ce formulaire a été envoyé depuis un autre site : il n'a pas été pris en compte."


def own_origin(request: Request, config: WebConfig) -> str:
    if config.origin:
        return config.origin
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def check_origin(request: Request, config: WebConfig) -> None:
    """A form POST must come from a page of this site: Origin, else Referer, must name
    it (browsers send one of them with every form; a request with neither is refused)."""
    expected = own_origin(request, config).lower()
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if origin.rstrip("/").lower() != expected:
            raise FormRefused(_FOREIGN)
        return
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or f"{parts.scheme}://{parts.netloc}".lower() != expected:
        raise FormRefused(_FOREIGN)


def client_address(request: Request, config: WebConfig) -> str:
    """The visitor's address. X-Forwarded-For counts only when the connection comes from
    a trusted proxy; then its rightmost address that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "0.0.0.0"
    if not config.trusted_proxies or not _trusted(peer, config):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _valid(hop):
            return peer  # a garbled header: believe the proxy itself
        if not _trusted(hop, config):
            return hop
    return peer


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str, config: WebConfig) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in config.trusted_proxies)


def is_https(request: Request, config: WebConfig) -> bool:
    if config.origin:
        return config.origin.startswith("https://")
    return request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, config: WebConfig, name: str, value: str,
    max_age: int | None,
) -> None:  # fmt: skip
    """HttpOnly, SameSite=Strict, Secure (but for plain http on this machine's loopback,
    where browsers would drop a Secure cookie: the tests and a local demo)."""
    host = (request.url.hostname or "").lower()
    loopback = host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
        secure=is_https(request, config) or not loopback,
    )  # fmt: skip


class SecurityHeaders:
    """Adds the Content-Security-Policy and its companions to every HTML page and asset
    (a pure ASGI middleware, as the server-time one: cheap)."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...], exact: tuple[str, ...]) -> None:
        self.app, self.prefixes, self.exact = app, prefixes, exact

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")) if scope["type"] == "http" else ""
        if not path or not (path.startswith(self.prefixes) or path in self.exact):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"cache-control"]
                keep = dict(message.get("headers", [])).get(b"cache-control")
                extra = [h for h in HEADERS if h[0] != b"cache-control" or keep is None]
                if keep is not None:
                    headers.append((b"cache-control", keep))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, with_headers)
