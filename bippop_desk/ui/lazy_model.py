"""A table model over record ids with a lazy row cache.

It holds only the ordered ids (100,000 strings is a few MB). Rows are fetched in blocks
on the DB worker when the view asks for them; until they arrive the cells show "…",
so scrolling never blocks. The cache is bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from bippop_desk.ui.context import AppContext

BLOCK = 100
MAX_CACHED_BLOCKS = 60
LOADING = "…"

Index = QModelIndex | QPersistentModelIndex


class LazyTableModel(QAbstractTableModel):
    rows_arrived = Signal()

    def __init__(
        self,
        context: AppContext,
        headers: Sequence[str],
        fetch_rows: Callable[[Any, list[str]], dict[str, tuple[str, ...]]],
        *,
        raw: bool = False,
    ) -> None:
        """`fetch_rows(source, ids)`: with `raw`, the source is a plain-SQL Reader (the
        list can fill before the registry is open); otherwise the full Registry."""
        super().__init__()
        self._context = context
        self._headers = list(headers)
        self._fetch_rows = fetch_rows
        self._raw = raw
        self._ids: list[str] = []
        self._blocks: OrderedDict[int, dict[str, tuple[str, ...]]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0

    # -- content -------------------------------------------------------------------
    def set_ids(self, ids: list[str]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._blocks.clear()
        self._requested.clear()
        self._generation += 1
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Forget cached rows (data changed); visible ones are fetched again."""
        self._blocks.clear()
        self._requested.clear()
        self._generation += 1
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, self.columnCount() - 1)
            )

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: str) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def cached_row(self, row: int) -> tuple[str, ...] | None:
        block = self._blocks.get(row // BLOCK)
        record_id = self.id_at(row)
        if block is None or record_id is None:
            return None
        return block.get(record_id)

    # -- Qt model API ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.cached_row(index.row())
        if row is None:
            self._request_block(index.row() // BLOCK)
            return LOADING if role == Qt.ItemDataRole.DisplayRole else None
        return row[index.column()] if index.column() < len(row) else ""

    # -- fetching ------------------------------------------------------------------------
    def _request_block(self, block: int) -> None:
        if block in self._requested:
            return
        self._requested.add(block)
        ids = self._ids[block * BLOCK : (block + 1) * BLOCK]
        generation = self._generation
        fetch = self._fetch_rows

        def arrived(rows: dict[str, tuple[str, ...]]) -> None:
            self._block_arrived(generation, block, rows)

        if self._raw:
            self._context.read_raw(lambda reader: fetch(reader, ids), arrived)
        else:
            self._context.read(lambda registry: fetch(registry, ids), arrived)

    def _block_arrived(self, generation: int, block: int, rows: dict[str, tuple[str, ...]]) -> None:
        if generation != self._generation:
            return  # the list changed meanwhile: these rows belong to an older one
        self._blocks[block] = rows
        self._blocks.move_to_end(block)
        while len(self._blocks) > MAX_CACHED_BLOCKS:
            old, _ = self._blocks.popitem(last=False)
            self._requested.discard(old)
        first = block * BLOCK
        last = min(len(self._ids), first + BLOCK) - 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))
        self.rows_arrived.emit()
