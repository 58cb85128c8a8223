"""What every page needs: the DB worker, the open registry, who is working, and the
broadcast of what changed (each view decides whether to refresh; nobody polls)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal

from bippop_desk.registry.changes import Actor
from bippop_desk.registry.store import Registry
from bippop_desk.ui.worker import DbWorker, Job


class AppContext(QObject):
    data_changed = Signal(object)  # frozenset of entity names ("request", "beneficiary"…)
    registry_ready = Signal()
    actor_changed = Signal()

    def __init__(self, worker: DbWorker, actor: Actor) -> None:
        super().__init__()
        self.worker = worker
        self.actor = actor
        self._registry: Registry | None = None
        self.commune_name = ""

    # -- the registry (opened on the worker) --------------------------------------
    def set_registry(self, registry: Registry, commune_name: str) -> None:
        """Called on the GUI thread once the worker has opened the file."""
        self._registry = registry
        self.commune_name = commune_name
        self.registry_ready.emit()

    @property
    def ready(self) -> bool:
        return self._registry is not None

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

    def mutate(
        self,
        fn: Callable[[Registry], Any],
        entities: Iterable[str],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        progress: str = "",
    ) -> Job:
        """Like `read`, then tells every view which kinds of records changed."""
        changed = frozenset(entities)

        def done(result: Any) -> None:
            if on_done is not None:
                on_done(result)
            self.data_changed.emit(changed)

        return self.worker.submit(lambda: fn(self._require()), done, on_error, progress=progress)

    def _require(self) -> Registry:
        if self._registry is None:
            raise RuntimeError("registry not open yet")
        return self._registry

    def close(self) -> None:
        """Finish queued work, then close the file (GUI thread, at exit)."""
        registry = self._registry
        if registry is not None:
            self.worker.submit(registry.close)
        self.worker.shutdown()
