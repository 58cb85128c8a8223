"""What every page needs: the DB worker, the open registry, who is working, and the
broadcast of what changed (each view decides whether to refresh; nobody polls).

Start-up comes in two steps. First a `FileReader` (plain sqlite3) lets the first list
paint at once (`reader_ready`); then the full `Registry` (SQLAlchemy, services, writes)
arrives (`registry_ready`). Pages that only show lists read through `read_raw`; every
other page waits for the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from bippop_desk.registry.actor import Actor
from bippop_desk.ui.worker import DbWorker, Job

if TYPE_CHECKING:
    from bippop_desk.registry.reader import FileReader, Reader
    from bippop_desk.registry.store import Registry


class AppContext(QObject):
    data_changed = Signal(object)  # frozenset of entity names ("request", "beneficiary"…)
    reader_ready = Signal()
    registry_ready = Signal()
    actor_changed = Signal()

    def __init__(self, worker: DbWorker, actor: Actor) -> None:
        super().__init__()
        self.worker = worker
        self.actor = actor
        self._registry: Registry | None = None
        self._reader: FileReader | None = None
        self._reader_announced = False
        self.commune_name = ""

    # -- opening (GUI thread) ---------------------------------------------------------
    def set_reader(self, reader: FileReader, commune_name: str) -> None:
        self._reader = reader
        self.commune_name = commune_name
        self._announce_reader()

    def set_registry(self, registry: Registry, commune_name: str) -> None:
        self._registry = registry
        self.commune_name = commune_name
        if self._reader is not None:
            reader, self._reader = self._reader, None
            self.worker.submit(reader.close)  # after the reads already queued on it
        self._announce_reader()
        self.registry_ready.emit()

    def _announce_reader(self) -> None:
        if not self._reader_announced:
            self._reader_announced = True
            self.reader_ready.emit()

    @property
    def ready(self) -> bool:
        return self._registry is not None

    @property
    def reader_available(self) -> bool:
        return self._reader_announced

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        if self._registry is not None:
            self._registry.actor = actor
        self.actor_changed.emit()

    # -- running work --------------------------------------------------------------
    def read(
        self,
        fn: Callable[[Registry], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        progress: str = "",
    ) -> Job:
        """Run `fn(registry)` on the DB worker; `on_done(result)` runs on the GUI thread."""
        return self.worker.submit(lambda: fn(self._require()), on_done, on_error, progress=progress)

    def read_raw(
        self,
        fn: Callable[[Reader], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Job:
        """Like `read`, for plain-SQL reads that may run before the registry is open."""
        return self.worker.submit(lambda: fn(self._require_reader()), on_done, on_error)

    def mutate(
        self,
        fn: Callable[[Registry], Any],
        entities: Iterable[str],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        progress: str = "",
    ) -> Job:
        """Like `read`, then tells every view which kinds of records changed (those
        named here and those the job's changes touched). The job acts on behalf of the
        user signed in NOW, even if another signs in while it waits in the queue."""
        declared = frozenset(entities)
        actor = self.actor

        def run() -> tuple[Any, frozenset[str]]:
            registry = self._require()
            with registry.acting_as(actor) as scope:
                result = fn(registry)
            return result, frozenset(scope.entities)

        def done(outcome: tuple[Any, frozenset[str]]) -> None:
            result, touched = outcome
            if on_done is not None:
                on_done(result)
            self.data_changed.emit(declared | touched)

        return self.worker.submit(run, done, on_error, progress=progress)

    def registry_for_background(self) -> Registry:
        """The open registry, for work on a thread of its own (sync): it opens its own
        short transactions; never use it on the GUI thread."""
        return self._require()

    def _require(self) -> Registry:
        if self._registry is None:
            raise RuntimeError("registry not open yet")
        return self._registry

    def _require_reader(self) -> Reader:
        reader: Reader | None = self._registry or self._reader
        if reader is None:
            raise RuntimeError("registry not open yet")
        return reader

    def close(self) -> None:
        """Finish queued work, then close the file (GUI thread, at exit)."""
        registry, reader = self._registry, self._reader
        if registry is not None:
            self.worker.submit(registry.close)
        if reader is not None:
            self.worker.submit(reader.close)
        self.worker.shutdown()
