"""What the app (and the CLI) call to sync: enroll, sync_once, sync_status, and the
conflicts and refused changes (sync/conflicts.py).

`sync_once` never raises for a network or server problem: its `SyncReport` says what
happened in French (`error`), and whether the desk must be enrolled again
(`needs_enroll`) or updated (`needs_update`). The outbox is kept in every case.
Runs on the caller's thread: the app's sync thread, never the GUI thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Connection, text

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import new_id
from bippop_desk.registry.permissions import require
from bippop_desk.registry.store import Registry
from bippop_desk.secrets import SecretStoreUnavailable
from bippop_desk.sync.client import (
    TIMEOUT,
    NeedsEnroll,
    NeedsUpdate,
    RetryPolicy,
    SyncError,
    SyncHttp,
)
from bippop_desk.sync.conflicts import (
    ConflictView,
    RejectedView,
    count_open,
    discard_rejected,
    list_conflicts,
    list_rejected,
    resolve_conflict,
    retry_rejected,
)
from bippop_desk.sync.credentials import (
    ensure_available,
    forget_token,
    load_token,
    store_token,
)
from bippop_desk.sync.pull import pull_all
from bippop_desk.sync.push import push_all
from bippop_desk.sync.state import (
    DEMO_MESSAGE,
    is_demo,
    read_state,
    write_state,
    write_state_in,
)

log = logging.getLogger(__name__)

__all__ = [
    "ConflictView",
    "EnrollResult",
    "RejectedView",
    "SyncReport",
    "SyncStatus",
    "discard_rejected",
    "enroll",
    "list_conflicts",
    "list_rejected",
    "purge_outbox",
    "resolve_conflict",
    "retry_rejected",
    "sync_once",
    "sync_status",
]

SKEW_WARNING_S = 300
OUTBOX_HORIZON_DAYS = 30


@dataclass(frozen=True)
class EnrollResult:
    device_id: str
    server_url: str
    commune_insee: str
    commune_name: str
    clock_offset_s: float | None


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    rejected: int = 0
    conflicts: int = 0
    entities_changed: frozenset[str] = frozenset()
    clock_offset_s: float | None = None
    error: str = ""
    needs_enroll: bool = False
    needs_update: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str
    last_sync_at: dt.datetime | None
    last_success_at: dt.datetime | None
    pending_count: int
    rejected_count: int
    open_conflicts: int
    clock_offset_s: float | None
    last_error: str
    device_name: str = ""
    commune_insee: str = ""
    demo: bool = False  # a demo registry refuses to enroll: nothing ever leaves it


# -- enrollment ----------------------------------------------------------------------------
def _check_url(server_url: str) -> str:
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


def enroll(
    registry: Registry,
    server_url: str,
    code: str,
    device_name: str,
    *,
    verify: bool | str = True,
    transport: httpx.BaseTransport | None = None,
) -> EnrollResult:
    """Enroll this desk with a single-use code; the device token goes to the OS keyring.

    `verify` is True (the system's authorities) or the path of a private authority's
    PEM file; it cannot turn verification off. Raises a RegistryError in French: demo
    registry, no commune yet, refused code, another commune's code, no keyring."""
    if verify is False:
        raise SyncError("La vérification du certificat de la plateforme est obligatoire.")
    if is_demo(registry):
        raise SyncError(DEMO_MESSAGE)
    require(registry, "sync.enroll")
    commune = registry.commune()  # NotFoundError (French) when none is set up
    url = _check_url(server_url)
    if not code.strip():
        raise SyncError("Saisissez le code d'inscription donné par la plateforme.")
    ca_file = verify if isinstance(verify, str) else ""
    ensure_available()  # no keyring: say so before the single-use code is spent
    device_id = new_id()
    name = device_name.strip()[:120] or "Poste de la mairie"
    # Connection refused is retried; a request that may have reached the server is not
    # (the code is single-use).
    with SyncHttp(url, None, ca_file=ca_file, transport=transport) as http:
        answer = http.call(
            "POST",
            "/api/v1/enroll",
            body={"code": code.strip().upper(), "device_id": device_id, "device_name": name},
            retry_sent=False,
        )
        offset = http.clock_offset_s
    their = answer.get("commune") or {}
    insee = str(their.get("insee_code") or "")
    if insee != commune.insee_code:
        raise SyncError(
            f"Ce code d'inscription est celui de la commune {their.get('name', '?')} ({insee}), "
            f"pas de {commune.name} ({commune.insee_code}) : rien n'a été changé."
        )
    token = str(answer.get("device_token") or "")
    if not token:
        raise SyncError("La plateforme n'a pas donné de jeton d'inscription.")
    previous = read_state(registry)
    store_token(device_id, token)  # SecretStoreUnavailable: nothing recorded
    same_place = previous.server_url == url and previous.commune_insee == insee
    write_state(
        registry,
        device_id=device_id,
        server_url=url,
        ca_file=ca_file,
        device_name=name,
        commune_insee=insee,
        pull_cursor=previous.pull_cursor if same_place else 0,
        enrolled_at=utcnow().isoformat(sep=" "),
        last_error="",
        clock_offset_s=offset,
    )
    if previous.device_id and previous.device_id != device_id:
        with contextlib.suppress(SecretStoreUnavailable):
            forget_token(previous.device_id)
    return EnrollResult(device_id, url, insee, str(their.get("name") or ""), offset)


# -- one sync --------------------------------------------------------------------------------
def sync_once(
    registry: Registry,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    timeout: httpx.Timeout | None = None,
) -> SyncReport:
    """Push the outbox, then pull the commune's changes. Never raises for network or
    server trouble: the report carries a French `error` instead."""
    report = SyncReport()
    state = read_state(registry)
    if not state.enrolled:
        report.error = "Ce poste n'est pas encore inscrit auprès de la plateforme."
        report.needs_enroll = True
        return report
    if is_demo(registry):
        report.error = DEMO_MESSAGE
        return report
    try:
        token = load_token(state.device_id)
    except SecretStoreUnavailable as error:
        report.error = str(error)
        _finish(registry, report, success=False)
        return report
    if not token:
        report.error = (
            "Le jeton de ce poste n'est plus dans le trousseau de l'ordinateur : "
            "inscrivez le poste de nouveau."
        )
        report.needs_enroll = True
        _finish(registry, report, success=False)
        return report
    entities: set[str] = set()
    http = SyncHttp(
        state.server_url,
        token,
        ca_file=state.ca_file,
        transport=transport,
        retry=retry,
        timeout=timeout or TIMEOUT,
    )
    try:
        if state.last_success_at is None and state.pull_cursor == 0:
            # A desk joining: take the commune's records first (its seeded catalogue
            # then gives way to the platform's, see registry/remote.py).
            first = pull_all(registry, http)
            report.pulled += first.pulled
            report.conflicts += first.conflicts
            entities |= first.entities
        pushed = push_all(registry, http)
        report.pushed, report.rejected = pushed.pushed, pushed.rejected
        report.conflicts += pushed.conflicts
        entities |= pushed.entities
        pulled = pull_all(registry, http)
        report.pulled += pulled.pulled
        report.conflicts += pulled.conflicts
        entities |= pulled.entities
    except NeedsEnroll as error:
        report.error, report.needs_enroll = str(error), True
    except NeedsUpdate as error:
        report.error, report.needs_update = str(error), True
    except SyncError as error:
        report.error = str(error)
    except Exception as error:
        log.exception("sync failed")
        report.error = f"La synchronisation a échoué de façon inattendue ({type(error).__name__})."
    finally:
        http.close()
    report.entities_changed = frozenset(entities)
    report.clock_offset_s = http.clock_offset_s
    if report.clock_offset_s is not None and abs(report.clock_offset_s) > SKEW_WARNING_S:
        report.warnings.append(
            f"L'horloge de cet ordinateur a {round(abs(report.clock_offset_s) / 60)} minutes "
            "d'écart avec la plateforme."
        )
    _finish(registry, report, success=not report.error)
    return report


def _finish(registry: Registry, report: SyncReport, *, success: bool) -> None:
    """The outcome in `sync_state`, and the outbox housekeeping, in one transaction."""
    now = utcnow().isoformat(sep=" ")
    values: dict[str, object] = {"last_sync_at": now, "last_error": report.error}
    if success:
        values["last_success_at"] = now
    if report.clock_offset_s is not None:
        values["clock_offset_s"] = report.clock_offset_s
    with registry.remote_transaction() as conn:
        write_state_in(conn, **values)
        if success:
            _purge(conn, OUTBOX_HORIZON_DAYS)


def _purge(conn: Connection, horizon_days: int) -> int:
    limit = (utcnow() - dt.timedelta(days=horizon_days)).isoformat(sep=" ")
    return int(
        conn.execute(
            text(
                "DELETE FROM outbox WHERE (state = 'sent' AND sent_at < :limit) "
                "OR (state IN ('local', 'discarded') AND created_at < :limit)"
            ),
            {"limit": limit},
        ).rowcount
        or 0
    )


def purge_outbox(registry: Registry, horizon_days: int = OUTBOX_HORIZON_DAYS) -> int:
    """Forget acknowledged (and local or discarded) entries older than the horizon; the
    audit trail keeps who changed what. Every successful sync does it."""
    with registry.remote_transaction() as conn:
        return _purge(conn, horizon_days)


# -- status ----------------------------------------------------------------------------------
def sync_status(registry: Registry) -> SyncStatus:
    """A cheap read for the status bar (no network)."""
    state = read_state(registry)
    pending, rejected, conflicts = count_open(registry)
    return SyncStatus(
        enrolled=state.enrolled,
        server_url=state.server_url,
        last_sync_at=state.last_sync_at,
        last_success_at=state.last_success_at,
        pending_count=pending,
        rejected_count=rejected,
        open_conflicts=conflicts,
        clock_offset_s=state.clock_offset_s,
        last_error=state.last_error,
        device_name=state.device_name,
        commune_insee=state.commune_insee,
        demo=is_demo(registry),
    )
