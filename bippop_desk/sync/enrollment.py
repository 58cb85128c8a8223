"""Enrolling this desk with the platform, so that a lost answer never costs the code.

An enrollment is written down as *pending* (sync_state.pending_enrollment: device id,
address, name; the code itself in the OS keyring) before it is sent. When the answer
does not arrive (connection dropped, answer cut, 5xx), the desk sends the same code with
the same device id again: by itself at the next sync, or when the staff retry with the
same code. The platform gives that device a new token within 15 minutes of the code's
first use and kills the previous one (docs/sync-protocol.md, POST enroll).

The pending entry stays, with its code, until the first sync with the new token has
worked: a late duplicate of the request reaching the platform after our answer (which
kills the token we hold) is healed by one more enrollment with the same code.

Runs on the caller's thread: the app's sync thread or the CLI, never the GUI thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlsplit

import httpx

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import new_id
from bippop_desk.registry.permissions import require
from bippop_desk.registry.store import Registry
from bippop_desk.secrets import SecretStoreUnavailable, delete_secret, get_secret, secret_name
from bippop_desk.secrets import set_secret as _set_secret
from bippop_desk.sync.client import RetryPolicy, SyncError, SyncHttp, Unreachable
from bippop_desk.sync.credentials import ensure_available, forget_token, load_token, store_token
from bippop_desk.sync.state import DEMO_MESSAGE, State, is_demo, read_state, write_state

# The platform answers a retry of the same code by the same device this long after the
# code's first use (bippop_central/auth.py RETRY_WINDOW).
RETRY_WINDOW = dt.timedelta(minutes=15)
CODE_KIND = "enroll-code"


class EnrollUnconfirmed(SyncError):
    """The request may have reached the platform, its answer did not reach us."""


def unconfirmed_message(reason: str) -> str:
    return (
        f"La plateforme n'a pas répondu ({reason}). L'inscription n'a pas pu être "
        "confirmée : réessayez avec le même code dans les 15 minutes ; Bip Pop Desk "
        "réessaiera aussi de lui-même dès que la plateforme répondra."
    )


@dataclass(frozen=True)
class EnrollResult:
    device_id: str
    server_url: str
    commune_insee: str
    commune_name: str
    clock_offset_s: float | None


@dataclass(frozen=True)
class Pending:
    device_id: str
    server_url: str
    ca_file: str
    device_name: str
    started_at: str  # naive UTC, ISO
    token_received: bool = False  # answered; waiting for a first sync with the token

    def expired(self) -> bool:
        started = dt.datetime.fromisoformat(self.started_at)
        return utcnow() - started > RETRY_WINDOW


def read_pending(registry: Registry) -> Pending | None:
    return pending_of(read_state(registry))


def pending_of(state: State) -> Pending | None:
    text = state.pending_enrollment
    if not text:
        return None
    try:
        return Pending(**json.loads(text))
    except (TypeError, ValueError):
        return None  # written by a newer build: start over rather than fail


def _write_pending(registry: Registry, pending: Pending | None) -> None:
    write_state(registry, pending_enrollment=json.dumps(asdict(pending)) if pending else "")


def _code_name(device_id: str) -> str:
    return secret_name(CODE_KIND, device_id)


def drop_pending(registry: Registry, pending: Pending) -> None:
    """Forget a pending enrollment and its code (nothing more to retry)."""
    _write_pending(registry, None)
    with contextlib.suppress(SecretStoreUnavailable):
        delete_secret(_code_name(pending.device_id))


def check_url(server_url: str) -> str:
    url = server_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SyncError(
            "Indiquez l'adresse de la plateforme (exemple : https://bippop.example.fr)."
        )
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise SyncError(
                "La plateforme doit être jointe en https:// : une connexion non chiffrée "
                "exposerait les données des personnes."
            )
    return url


def _same_code(typed: str, kept: str | None) -> bool:
    def fold(code: str) -> str:
        return "".join(c for c in code.upper() if c.isalnum())

    return kept is not None and fold(typed) == fold(kept)


def enroll(
    registry: Registry,
    server_url: str,
    code: str,
    device_name: str,
    *,
    verify: bool | str = True,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> EnrollResult:
    """Enroll this desk with a single-use code; the device token goes to the OS keyring.

    The same code typed again for the same platform reuses the pending enrollment's
    device id (the platform then answers again). `verify` is True (the system's
    authorities) or the path of a private authority's PEM file; it cannot turn
    verification off. Raises a RegistryError in French: demo registry, no commune yet,
    refused code, another commune's code, no keyring; EnrollUnconfirmed when the answer
    was lost (the enrollment stays pending and is retried)."""
    if verify is False:
        raise SyncError("La vérification du certificat de la plateforme est obligatoire.")
    if is_demo(registry):
        raise SyncError(DEMO_MESSAGE)
    require(registry, "sync.enroll")
    registry.commune()  # NotFoundError (French) when none is set up
    url = check_url(server_url)
    if not code.strip():
        raise SyncError("Saisissez le code d'inscription donné par la plateforme.")
    ca_file = verify if isinstance(verify, str) else ""
    ensure_available()  # no keyring: say so before the single-use code is spent
    name = device_name.strip()[:120] or "Poste de la mairie"
    pending = read_pending(registry)
    if (
        pending is not None
        and pending.server_url == url
        and _same_code(code, get_secret(_code_name(pending.device_id)))
    ):
        pending = replace(pending, ca_file=ca_file, device_name=name)
    else:
        if pending is not None:
            drop_pending(registry, pending)  # another code: a new device id
        pending = Pending(new_id(), url, ca_file, name, utcnow().isoformat(sep=" "))
    _set_secret(_code_name(pending.device_id), code.strip().upper())
    _write_pending(registry, pending)
    return complete(registry, pending, transport=transport, retry=retry)


def complete(
    registry: Registry,
    pending: Pending,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> EnrollResult:
    """Send the pending enrollment (again). The staff right was checked when it began:
    the desk finishing it by itself at a sync needs no one signed in with that right."""
    code = get_secret(_code_name(pending.device_id))
    if not code:
        drop_pending(registry, pending)
        raise SyncError(
            "Le code de l'inscription en attente n'est plus dans le trousseau de "
            "l'ordinateur : inscrivez le poste de nouveau avec le code."
        )
    commune = registry.commune()
    previous = read_state(registry)
    # The re-enrolling desk proves its previous device with its token, so the platform
    # revokes it; sent only to the platform that token belongs to.
    previous_token = None
    if previous.enrolled and previous.server_url == pending.server_url:
        with contextlib.suppress(SecretStoreUnavailable):
            previous_token = load_token(previous.device_id)
    body = {
        "code": code,
        "device_id": pending.device_id,
        "device_name": pending.device_name,
        "insee_code": commune.insee_code,
    }
    try:
        with SyncHttp(
            pending.server_url,
            previous_token,
            ca_file=pending.ca_file,
            transport=transport,
            retry=retry,
        ) as http:
            # Safe to repeat: the platform answers the same device's same code again.
            answer = http.call("POST", "/api/v1/enroll", body=body)
            offset = http.clock_offset_s
    except Unreachable as error:
        raise EnrollUnconfirmed(unconfirmed_message(error.reason)) from error
    except SyncError:
        drop_pending(registry, pending)  # a clear answer (refused, update, TLS): final
        raise
    their = answer.get("commune") or {}
    insee = str(their.get("insee_code") or "")
    token = str(answer.get("device_token") or "")
    if insee != commune.insee_code or not token:
        drop_pending(registry, pending)
        if not token:
            raise SyncError("La plateforme n'a pas donné de jeton d'inscription.")
        raise SyncError(  # a platform that does not check the commune itself
            f"Ce code d'inscription est celui de la commune {their.get('name', '?')} ({insee}), "
            f"pas de {commune.name} ({commune.insee_code}) : rien n'a été changé."
        )
    store_token(pending.device_id, token)  # SecretStoreUnavailable: still pending
    same_place = previous.server_url == pending.server_url and previous.commune_insee == insee
    write_state(
        registry,
        device_id=pending.device_id,
        server_url=pending.server_url,
        ca_file=pending.ca_file,
        device_name=pending.device_name,
        commune_insee=insee,
        pull_cursor=previous.pull_cursor if same_place else 0,
        enrolled_at=utcnow().isoformat(sep=" "),
        last_error="",
        clock_offset_s=offset,
        pending_enrollment=json.dumps(asdict(replace(pending, token_received=True))),
    )
    if previous.device_id and previous.device_id != pending.device_id:
        with contextlib.suppress(SecretStoreUnavailable):
            forget_token(previous.device_id)
    return EnrollResult(
        pending.device_id, pending.server_url, insee, str(their.get("name") or ""), offset
    )


def heal(
    registry: Registry,
    device_id: str,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> bool:
    """After a 401 shortly after enrolling: a late copy of our enrollment request may
    have replaced our token. True when a new one was obtained with the kept code."""
    pending = read_pending(registry)
    if pending is None or not pending.token_received or pending.device_id != device_id:
        return False
    if pending.expired():
        drop_pending(registry, pending)
        return False
    try:
        complete(registry, pending, transport=transport, retry=retry)
    except SyncError:
        return False
    return True


def confirm(registry: Registry, device_id: str) -> None:
    """A sync with the token worked: the enrollment is done, its code forgotten."""
    pending = read_pending(registry)
    if pending is not None and pending.token_received and pending.device_id == device_id:
        drop_pending(registry, pending)
