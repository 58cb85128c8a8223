"""What the app (and the CLI) call to sync: enroll, sync_once, sync_status, and the
conflicts and refused changes (sync/conflicts.py).

`sync_once` never raises for a network or server problem: its `SyncReport` says what
happened in French (`error`), and whether the desk must be enrolled again
(`needs_enroll`) or updated (`needs_update`). The outbox is kept in every case.
Runs on the caller's thread: the app's sync thread, never the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Connection, text

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.remote_set_aside import SetAsideView, count_set_aside, list_set_aside
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
from bippop_desk.sync.credentials import load_token
from bippop_desk.sync.enrollment import (
    EnrollResult,
    EnrollUnconfirmed,
    complete,
    confirm,
    enroll,
    heal,
    pending_of,
    read_pending,
)
from bippop_desk.sync.pull import pull_all
from bippop_desk.sync.push import push_all
from bippop_desk.sync.restore import check_position, resend_due, resend_lost_records
from bippop_desk.sync.state import DEMO_MESSAGE, State, is_demo, read_state, write_state_in

log = logging.getLogger(__name__)

__all__ = [
    "ConflictView",
    "EnrollResult",
    "EnrollUnconfirmed",
    "RejectedView",
    "SetAsideView",
    "SyncReport",
    "SyncStatus",
    "discard_rejected",
    "enroll",
    "list_conflicts",
    "list_rejected",
    "list_set_aside",
    "purge_outbox",
    "resolve_conflict",
    "retry_rejected",
    "sync_once",
    "sync_status",
]

SKEW_WARNING_S = 300
OUTBOX_HORIZON_DAYS = 30


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
    # Sent, not answered yet: the desk sends it again by itself (sync/enrollment.py).
    enrollment_pending: bool = False
    set_aside_count: int = 0  # pulled records this desk could not store (remote_set_aside)
    # What this desk did when the platform came back from a backup (sync/restore.py).
    restore_notice: str = ""


# -- one sync --------------------------------------------------------------------------------
def sync_once(
    registry: Registry,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    timeout: httpx.Timeout | None = None,
) -> SyncReport:
    """Finish a pending enrollment, push the outbox, then pull the commune's changes.
    Never raises for network or server trouble: the report carries a French `error`."""
    report = SyncReport()
    pending = read_pending(registry)
    if pending is not None and not pending.token_received and not is_demo(registry):
        try:  # the desk retries by itself, with the same device id and code
            complete(registry, pending, transport=transport, retry=retry)
        except RegistryError as error:
            report.error = str(error)
            # Refused for good (the pending enrollment dropped): a new code is needed.
            report.needs_enroll = read_pending(registry) is None
            _finish(registry, report, success=False)
            return report
    state = read_state(registry)
    if not state.enrolled:
        report.error = "Ce poste n'est pas encore inscrit auprès de la plateforme."
        report.needs_enroll = True
        return report
    if is_demo(registry):
        report.error = DEMO_MESSAGE
        return report
    entities: set[str] = set()
    for healing in (False, True):
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
        http = SyncHttp(
            state.server_url,
            token,
            ca_file=state.ca_file,
            transport=transport,
            retry=retry,
            timeout=timeout or TIMEOUT,
        )
        try:
            _exchange(registry, http, state, report, entities)
        except NeedsEnroll as error:
            if not healing and heal(registry, state.device_id, transport=transport, retry=retry):
                state = read_state(registry)  # a late copy of our enrollment: new token
                continue
            report.error, report.needs_enroll = str(error), True
        except NeedsUpdate as error:
            report.error, report.needs_update = str(error), True
        except SyncError as error:
            report.error = str(error)
        except Exception as error:
            log.exception("sync failed")
            report.error = (
                f"La synchronisation a échoué de façon inattendue ({type(error).__name__})."
            )
        finally:
            http.close()
            report.clock_offset_s = http.clock_offset_s
        break
    report.entities_changed = frozenset(entities)
    if report.clock_offset_s is not None and abs(report.clock_offset_s) > SKEW_WARNING_S:
        report.warnings.append(
            f"L'horloge de cet ordinateur a {round(abs(report.clock_offset_s) / 60)} minutes "
            "d'écart avec la plateforme."
        )
    _finish(registry, report, success=not report.error)
    if not report.error:
        confirm(registry, state.device_id)
    return report


def _exchange(
    registry: Registry, http: SyncHttp, state: State, report: SyncReport, entities: set[str]
) -> None:
    restored = check_position(registry, http, state)  # a platform restored from a backup
    if restored:
        report.warnings.append(restored)
        state = read_state(registry)
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
    if resend_due(read_state(registry)) and resend_lost_records(registry):
        # What only this desk still holds of the lost history goes back now.
        again = push_all(registry, http)
        report.pushed += again.pushed
        report.rejected += again.rejected
        entities |= again.entities


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
    pending = pending_of(state)
    waiting, rejected, conflicts = count_open(registry)
    return SyncStatus(
        enrolled=state.enrolled,
        server_url=state.server_url,
        last_sync_at=state.last_sync_at,
        last_success_at=state.last_success_at,
        pending_count=waiting,
        rejected_count=rejected,
        open_conflicts=conflicts,
        clock_offset_s=state.clock_offset_s,
        last_error=state.last_error,
        device_name=state.device_name,
        commune_insee=state.commune_insee,
        demo=is_demo(registry),
        enrollment_pending=pending is not None and not pending.token_received,
        set_aside_count=count_set_aside(registry),
        restore_notice=state.restore_notice,
    )
