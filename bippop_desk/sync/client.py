"""HTTP to the central server: protocol headers, timeouts, retries, clock skew.

Timeouts are always set and TLS certificates always checked (against the system's
authorities or a private authority's PEM file); there is no switch to turn that off.
Network errors, timeouts, cut or garbled bodies and 5xx answers are retried with
exponential backoff and jitter, a bounded number of times: every call here is safe to
repeat (push batches carry an idempotency key, pulls only read). What cannot be
retried becomes a typed error whose message is French.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bippop_desk.registry.errors import RegistryError

log = logging.getLogger(__name__)

PROTOCOL = 1
TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)


class SyncError(RegistryError):
    """A sync problem worded for the staff."""


class NeedsEnroll(SyncError):
    """401: the token is unknown or revoked; the desk must be enrolled again."""


class NeedsUpdate(SyncError):
    """426: this desk's protocol is too old; the queue is kept, work goes on offline."""


class Unreachable(SyncError):
    """Network down, timeouts or server errors, after the retries; `reason` says which."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class Redirected(SyncError):
    """A 3xx: the address redirects elsewhere; nothing is sent again, nothing refused."""


class NotPlatform(SyncError):
    """A 4xx that the platform did not write (a proxy, a firewall): the sync stops."""


class Refused(SyncError):
    """A 4xx the server explained (French detail), other than 401 and 426."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


NEEDS_ENROLL_MESSAGE = (
    "Ce poste n'est plus reconnu par la plateforme : inscrivez-le de nouveau avec un "
    "code d'inscription (demandez-le à l'administrateur de la plateforme)."
)
NEEDS_UPDATE_MESSAGE = (
    "La plateforme demande une version plus récente de Bip Pop Desk : mettez le logiciel "
    "à jour. Vos modifications restent en attente et partiront après la mise à jour."
)
REDIRECT_MESSAGE = (
    "L'adresse redirige : vérifiez l'adresse de la plateforme (Réglages, Synchronisation). "
    "Les modifications restent en attente."
)


def not_platform_message(status: int) -> str:
    return (
        f"Un intermédiaire du réseau (pare-feu, proxy) a répondu à la place de la plateforme "
        f"(erreur {status}) : vérifiez l'adresse de la plateforme et la connexion. Les "
        "modifications restent en attente et rien n'a été refusé."
    )


TLS_MESSAGE = (
    "Le certificat de sécurité de la plateforme n'a pas pu être vérifié : la connexion "
    "est refusée. Vérifiez l'adresse de la plateforme, ou le certificat de l'autorité "
    "fourni par votre informaticien."
)


def unreachable_message(reason: str) -> str:
    return (
        f"La plateforme est injoignable ({reason}). Les modifications restent en attente "
        "et partiront à la prochaine synchronisation."
    )


@dataclass
class RetryPolicy:
    attempts: int = 4  # tries in all, for one call
    base_s: float = 0.25
    max_s: float = 4.0

    def delay(self, attempt: int) -> float:
        # "Full jitter": desks that lost the server together do not return together.
        return random.uniform(0, min(self.max_s, self.base_s * (2**attempt)))


def schema_revision() -> str:
    from bippop_desk.registry.migrate import head_revision

    return head_revision()


_CONTEXTS: dict[str, ssl.SSLContext] = {}


def verify_option(ca_file: str) -> ssl.SSLContext:
    """A verifying TLS context: the system's authorities (certifi's bundle, as httpx
    uses), plus a private authority when given. Built once per authority: loading the
    bundle costs ~30 ms, more than a whole incremental sync on a LAN."""
    context = _CONTEXTS.get(ca_file)
    if context is None:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
        if ca_file:
            context.load_verify_locations(cafile=ca_file)
        _CONTEXTS[ca_file] = context
    return context


class SyncHttp:
    """One connection pool to one server, for one sync (or one enrollment)."""

    def __init__(
        self,
        server_url: str,
        token: str | None,
        *,
        ca_file: str = "",
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {
            "X-Bippop-Protocol": str(PROTOCOL),
            "X-Bippop-Schema": schema_revision(),
            "User-Agent": "bippop-desk",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(
            base_url=server_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            verify=verify_option(ca_file),
            transport=transport,
            follow_redirects=False,
        )
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock_offset_s: float | None = None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> SyncHttp:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        retry_sent: bool = True,
    ) -> dict[str, Any]:
        """The JSON answer of a 2xx. `retry_sent=False` retries only when the request
        surely never reached the server (connection refused), for calls that must
        not run twice (enrollment spends a single-use code)."""
        last_reason = ""
        asked_wait = 0.0  # the server's (or a proxy's) Retry-After, in seconds
        for attempt in range(self.retry.attempts):
            if attempt:
                self.sleep(max(self.retry.delay(attempt - 1), asked_wait))
                asked_wait = 0.0
            sent_at = time.time()
            try:
                response = self.client.request(method, path, json=body, params=params)
                payload = _decode(response)
            except httpx.ConnectError as error:
                if _tls_failure(error):
                    raise SyncError(TLS_MESSAGE) from error
                last_reason = "connexion impossible"
                log.info("sync %s %s: %s (try %d)", method, path, error, attempt + 1)
                continue
            except (httpx.TimeoutException, httpx.TransportError, _Garbled) as error:
                last_reason = (
                    "délai dépassé"
                    if isinstance(error, httpx.TimeoutException)
                    else "réponse interrompue"
                )
                log.info("sync %s %s: %r (try %d)", method, path, error, attempt + 1)
                if not retry_sent:
                    break
                continue
            self._measure_clock(response, sent_at, time.time())
            status = response.status_code
            if 300 <= status < 400:
                # Never followed, never taken for an answer: a redirect means the address
                # is not the platform's API (a portal, a moved site, http -> https).
                raise Redirected(REDIRECT_MESSAGE)
            if status in (408, 429):
                # Too many requests / too slow: nothing was done; wait as asked, again.
                last_reason = "la plateforme est surchargée" if status == 429 else "délai dépassé"
                asked_wait = retry_after(response)
                log.info("sync %s %s: HTTP %d (try %d)", method, path, status, attempt + 1)
                continue
            if 400 <= status < 500 and not from_platform(response):
                raise NotPlatform(not_platform_message(status))
            if status >= 500:
                asked_wait = retry_after(response)
                last_reason = f"erreur {status} du serveur"
                log.info("sync %s %s: HTTP %d (try %d)", method, path, status, attempt + 1)
                if not retry_sent:
                    break
                continue
            detail = str(payload.get("detail") or "") if isinstance(payload, dict) else ""
            if status == 401:
                raise NeedsEnroll(NEEDS_ENROLL_MESSAGE)
            if status == 426:
                raise NeedsUpdate(detail or NEEDS_UPDATE_MESSAGE)
            if status >= 400:
                raise Refused(
                    detail or f"La plateforme a refusé la demande (erreur {status}).", status
                )
            if not isinstance(payload, dict):
                last_reason = "réponse illisible"
                continue
            return payload
        reason = last_reason or "réponse illisible"
        raise Unreachable(unreachable_message(reason), reason)

    def _measure_clock(self, response: httpx.Response, sent: float, received: float) -> None:
        stamp = response.headers.get("X-Bippop-Server-Time", "")
        if not stamp:
            return
        try:
            server = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return
        if server.tzinfo is None:
            server = server.replace(tzinfo=dt.UTC)
        self.clock_offset_s = round(server.timestamp() - (sent + received) / 2, 3)


MAX_RETRY_AFTER_S = 30.0  # a desk never sleeps longer inside one sync


def retry_after(response: httpx.Response) -> float:
    """Retry-After in seconds (a number or an HTTP date), within MAX_RETRY_AFTER_S."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, min(moment.timestamp() - time.time(), MAX_RETRY_AFTER_S))


def from_platform(response: httpx.Response) -> bool:
    """Every answer of the platform carries its clock (X-Bippop-Server-Time), errors
    included; a proxy's, a firewall's or a captive portal's does not."""
    return bool(response.headers.get("X-Bippop-Server-Time"))


class _Garbled(Exception):
    """A 2xx whose body is not the JSON it announces (cut short on the way)."""


def _decode(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)  # UTF-8 bytes straight to the parser
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
        if response.status_code < 300:
            raise _Garbled(str(error)) from error
        return {}


def _tls_failure(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
