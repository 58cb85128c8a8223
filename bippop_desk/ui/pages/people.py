"""A list page of people (beneficiaries or volunteers): lazy table, search filter,
status filter, sortable columns, Entrée opens the file."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.search import Kind, search_people
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.lazy_model import LazyTableModel
from bippop_desk.ui.table_page import RecordTable


def format_count(count: int, singular: str, plural: str) -> str:
    number = f"{count:,}".replace(",", "\u202f")
    return f"{number} {singular if count <= 1 else plural}"


@dataclass(frozen=True)
class PeopleListSpec:
    title: str
    kind: Kind
    entity: str  # the entity name broadcast when these records change
    singular: str
    plural: str
    columns: Sequence[str]
    widths: list[int]
    statuses: Mapping[str, str]
    sort_by_column: Mapping[int, str]
    # With `raw`, ids and rows take a plain-SQL Reader and the list fills before the
    # registry is open (the beneficiaries: the app's first screen); otherwise a Registry.
    ids: Callable[[Any, str, bool, str | None], list[str]]
    rows: Callable[[Any, list[str]], dict[str, tuple[str, ...]]]
    raw: bool = False


class PeopleListPage(QWidget):
    open_record = Signal(str)
    new_record = Signal()

    def __init__(self, context: AppContext, spec: PeopleListSpec) -> None:
        super().__init__()
        self.context = context
        self.spec = spec
        self._sort = "name"
        self._descending = False
        self._seq = 0

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h2>{spec.title}</h2>"))
        bar = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setObjectName(f"{spec.entity}_filter")
        self.filter.setPlaceholderText("Filtrer : nom, téléphone ou rue…")
        self.filter.setClearButtonEnabled(True)
        filter_label = QLabel("&Chercher :")
        filter_label.setBuddy(self.filter)
        self.status = QComboBox()
        self.status.addItem("Tous les statuts", "")
        for code, label in spec.statuses.items():
            self.status.addItem(label, code)
        self.count_label = QLabel()
        self.new_button = QPushButton("&Nouvelle fiche")
        self.new_button.clicked.connect(self.new_record)
        bar.addWidget(filter_label)
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.status)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)

        self.model = LazyTableModel(context, spec.columns, spec.rows, raw=spec.raw)
        self.table = RecordTable(self.model)
        self.table.setObjectName(f"{spec.entity}_table")
        self.table.set_column_widths(spec.widths)
        self.table.open_record.connect(self.open_record)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().sectionClicked.connect(self._sort_clicked)
        layout.addWidget(self.table, 1)
        hint = QLabel("Entrée ou double-clic : ouvrir la fiche.")
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self.reload)
        self.filter.textEdited.connect(lambda _t: self._filter_timer.start())
        self.status.currentIndexChanged.connect(self.reload)
        if spec.raw:
            context.reader_ready.connect(self.reload)
        else:
            context.registry_ready.connect(self.reload)
        context.data_changed.connect(self._data_changed)
        if context.ready or (spec.raw and context.reader_available):
            self.reload()

    def _sort_clicked(self, column: int) -> None:
        sort = self.spec.sort_by_column.get(column)
        if sort is None:
            return
        self._descending = not self._descending if sort == self._sort else False
        self._sort = sort
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.reload()

    def reload(self) -> None:
        text = self.filter.text().strip()
        status = str(self.status.currentData() or "") or None
        sort, descending = self._sort, self._descending
        kind, ids_of = self.spec.kind, self.spec.ids
        self._seq += 1
        seq = self._seq

        def fetch(source: Any) -> list[str]:
            if text:
                hits = search_people(source, text, limit=500)
                return [h.id for h in hits if h.kind == kind and (not status or h.status == status)]
            return ids_of(source, sort, descending, status)

        def show(ids: list[str]) -> None:
            self._show(seq, ids, bool(text))

        if self.spec.raw:
            self.context.read_raw(fetch, show)
        else:
            self.context.read(fetch, show)

    def _show(self, seq: int, ids: list[str], filtered: bool) -> None:
        if seq != self._seq:
            return
        current = self.table.current_id()
        self.model.set_ids(ids)
        noun = format_count(len(ids), self.spec.singular, self.spec.plural)
        self.count_label.setText(f"{noun} trouvé·es" if filtered else noun)
        if current:
            row = self.model.row_of(current)
            if row >= 0:
                self.table.selectRow(row)

    def _data_changed(self, entities: frozenset[str]) -> None:
        if self.spec.entity in entities:
            self.model.refresh_rows()
            self.reload()

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()
