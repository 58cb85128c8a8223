"""Pull: the commune's changes after this desk's cursor, page by page. Pages and the
cursor's advance commit together (registry/remote.py), so a desk killed mid-pull starts
again exactly after the last page it kept: nothing skipped, nothing applied twice."""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bippop_desk.registry.remote import apply_remote
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import SyncError, SyncHttp
from bippop_desk.sync.state import read_state

PAGE_SIZE = 1000  # the protocol's maximum: fewer round trips
AHEAD = 30  # pages fetched ahead at most (~30 MB of decoded records)
GROUP = 20000  # records per local transaction: a big first pull holds the write lock ~1 s at a time


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
    Pages are fetched ahead on a helper thread while earlier ones are written: SQLite
    releases the interpreter while it writes, so the server, the network and the disk
    work at once."""
    with _collector_paused():
        return _pull(registry, http, page_size, group)


def _pull(registry: Registry, http: SyncHttp, page_size: int, group: int) -> PullOutcome:
    outcome = PullOutcome()
    state = read_state(registry)
    cursor = state.pull_cursor
    pages: queue.Queue[tuple[dict[str, Any], int] | BaseException | None] = queue.Queue(AHEAD)
    stop = threading.Event()

    def fetch_ahead(after: int) -> None:
        try:
            while not stop.is_set():
                page = http.call("GET", "/api/v1/pull", params={"after": after, "limit": page_size})
                changes, next_cursor = _checked(page, after)
                pages.put((page, next_cursor))
                if not (page.get("has_more") and changes):
                    break
                after = next_cursor
            pages.put(None)
        except BaseException as error:  # handed to the caller's thread, raised there
            pages.put(error)

    fetcher = threading.Thread(target=fetch_ahead, args=(cursor,), name="sync-pull", daemon=True)
    fetcher.start()
    try:
        done = False
        while not done:
            start = cursor
            batch: list[Any] = []
            while len(batch) < group:
                # Only the group's first page is waited for; then what has arrived is
                # written rather than waiting for a full group: a first pull starts
                # writing after one page, and groups grow as pages pile up meanwhile.
                try:
                    item = pages.get_nowait() if batch else pages.get()
                except queue.Empty:
                    break
                if item is None:
                    done = True
                    break
                if isinstance(item, BaseException):
                    raise item
                page, cursor = item
                batch += page["changes"]
                outcome.pages += 1
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
    finally:
        stop.set()
        while fetcher.is_alive():  # let a blocked producer finish its last put
            with contextlib.suppress(queue.Empty):
                pages.get(timeout=0.05)
        fetcher.join()
    return outcome


_PAUSES = [0, False]  # pulls running, whether the collector was on before the first
_PAUSES_LOCK = threading.Lock()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """CPython's cyclic garbage collector off while pages are pulled, back as it was
    after. A first pull holds tens of thousands of decoded changes at once (pages read
    ahead, a group per transaction): the collector would walk the whole process heap
    again and again while they pile up, though they form no reference cycles and are
    all freed by reference counting as each group is written (bench sync_initial: about
    a quarter of a 100,000-record pull, as the collector holds the interpreter lock
    that the writing and the fetching threads take turns on). Other threads keep
    running; a cycle they make meanwhile is collected once the pull ends."""
    with _PAUSES_LOCK:
        if _PAUSES[0] == 0:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES[1]:
                gc.enable()


def _checked(page: dict[str, Any], cursor: int) -> tuple[list[Any], int]:
    changes = page.get("changes")
    next_cursor = page.get("next_cursor")
    if not isinstance(changes, list) or not isinstance(next_cursor, int):
        raise SyncError("La plateforme a envoyé une page de modifications illisible.")
    if next_cursor < cursor:
        raise SyncError("La plateforme a renvoyé un curseur de synchronisation en arrière.")
    return changes, next_cursor
