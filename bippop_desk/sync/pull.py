"""Pull: the commune's changes after this desk's cursor, page by page. Each page and the
cursor's advance commit together (registry/remote.py), so a desk killed mid-pull starts
again exactly after the last page it kept: nothing skipped, nothing applied twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from bippop_desk.registry.remote import apply_remote
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import SyncError, SyncHttp
from bippop_desk.sync.state import read_state

PAGE_SIZE = 500


@dataclass
class PullOutcome:
    pulled: int = 0
    conflicts: int = 0
    pages: int = 0
    entities: set[str] = field(default_factory=set)


def pull_all(registry: Registry, http: SyncHttp, *, page_size: int = PAGE_SIZE) -> PullOutcome:
    outcome = PullOutcome()
    cursor = read_state(registry).pull_cursor
    while True:
        page = http.call("GET", "/api/v1/pull", params={"after": cursor, "limit": page_size})
        changes = page.get("changes")
        next_cursor = page.get("next_cursor")
        if not isinstance(changes, list) or not isinstance(next_cursor, int):
            raise SyncError("La plateforme a envoyé une page de modifications illisible.")
        if next_cursor < cursor:
            raise SyncError("La plateforme a renvoyé un curseur de synchronisation en arrière.")
        applied = apply_remote(registry, changes, cursor=next_cursor)
        outcome.pulled += applied.applied + applied.erased
        outcome.conflicts += applied.conflicts
        outcome.entities |= applied.entities
        outcome.pages += 1
        cursor = next_cursor
        if not page.get("has_more") or not changes:
            return outcome
