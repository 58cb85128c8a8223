"""Pull: the commune's changes after this desk's cursor, page by page. Pages and the
cursor's advance commit together (registry/remote.py), so a desk killed mid-pull starts
again exactly after the last page it kept: nothing skipped, nothing applied twice."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bippop_desk.registry.remote import apply_remote
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import SyncError, SyncHttp
from bippop_desk.sync.state import read_state

PAGE_SIZE = 1000  # the protocol's maximum: fewer round trips
GROUP = 5000  # records applied per local transaction


@dataclass
class PullOutcome:
    pulled: int = 0
    conflicts: int = 0
    pages: int = 0
    entities: set[str] = field(default_factory=set)


def pull_all(
    registry: Registry,
    http: SyncHttp,
    *,
    page_size: int = PAGE_SIZE,
    group: int = GROUP,
) -> PullOutcome:
    """Pull until the server has nothing more. Up to `group` records fetched in a row
    are applied in one transaction with the last cursor (each commit of a synchronous
    WAL costs a flush to disk; the write lock is never held during a network call).
    The next page is fetched on a helper thread while the current ones are written:
    SQLite releases the interpreter while it writes, so network and disk overlap."""
    outcome = PullOutcome()
    state = read_state(registry)
    cursor = state.pull_cursor
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as fetcher:

        def fetch(after: int) -> Future[dict[str, Any]]:
            return fetcher.submit(
                http.call, "GET", "/api/v1/pull", params={"after": after, "limit": page_size}
            )

        coming: Future[dict[str, Any]] | None = fetch(cursor)
        while coming is not None:
            start = cursor
            batch: list[Any] = []
            while coming is not None and len(batch) < group:
                page = coming.result()
                coming = None
                changes, next_cursor = _checked(page, cursor)
                batch += changes
                cursor = next_cursor
                outcome.pages += 1
                if page.get("has_more") and changes:
                    coming = fetch(cursor)
            if not batch and cursor == start:
                break  # nothing new: no write transaction at all
            applied = apply_remote(registry, batch, cursor=cursor)
            # Received = changed elsewhere; this desk's own changes come back too (with
            # the server's version) but are not news to its staff.
            outcome.pulled += sum(
                1
                for change in batch
                if isinstance(change, dict) and change.get("origin_device") != state.device_id
            )
            outcome.conflicts += applied.conflicts
            outcome.entities |= applied.entities
    return outcome


def _checked(page: dict[str, Any], cursor: int) -> tuple[list[Any], int]:
    changes = page.get("changes")
    next_cursor = page.get("next_cursor")
    if not isinstance(changes, list) or not isinstance(next_cursor, int):
        raise SyncError("La plateforme a envoyé une page de modifications illisible.")
    if next_cursor < cursor:
        raise SyncError("La plateforme a renvoyé un curseur de synchronisation en arrière.")
    return changes, next_cursor
