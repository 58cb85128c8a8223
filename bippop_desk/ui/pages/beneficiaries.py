"""The beneficiaries list: 100,000 rows in a lazy table, a search filter, sortable."""

from __future__ import annotations

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

from bippop_desk.registry.models.people import BENEFICIARY_STATUSES
from bippop_desk.registry.search import search_people
from bippop_desk.registry.services.beneficiaries import (
    LIST_COLUMNS,
    beneficiary_ids,
    beneficiary_rows,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.lazy_model import LazyTableModel
from bippop_desk.ui.table_page import RecordTable

SORT_BY_COLUMN = {0: "name", 1: "name", 2: "birth_date", 5: "city"}


def format_count(count: int, singular: str, plural: str) -> str:
    number = f"{count:,}".replace(",", "\u202f")
    return f"{number} {singular if count <= 1 else plural}"


class BeneficiariesPage(QWidget):
    open_beneficiary = Signal(str)
    new_beneficiary = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self._sort = "name"
        self._descending = False
        self._seq = 0

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Bénéficiaires</h2>"))
        bar = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setObjectName("beneficiaries_filter")
        self.filter.setPlaceholderText("Filtrer : nom, téléphone ou rue…")
        self.filter.setClearButtonEnabled(True)
        filter_label = QLabel("&Chercher :")
        filter_label.setBuddy(self.filter)
        self.status = QComboBox()
        self.status.addItem("Tous les statuts", "")
        for code, label in BENEFICIARY_STATUSES.items():
            self.status.addItem(label, code)
        self.count_label = QLabel()
        self.new_button = QPushButton("&Nouvelle fiche")
        self.new_button.clicked.connect(self.new_beneficiary)
        bar.addWidget(filter_label)
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.status)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)

        self.model = LazyTableModel(context, LIST_COLUMNS, beneficiary_rows)
        self.table = RecordTable(self.model)
        self.table.setObjectName("beneficiaries_table")
        self.table.set_column_widths([18, 16, 11, 16, 30, 16, 8])
        self.table.open_record.connect(self.open_beneficiary)
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
        context.registry_ready.connect(self.reload)
        context.data_changed.connect(self._data_changed)
        if context.ready:
            self.reload()

    def _sort_clicked(self, column: int) -> None:
        sort = SORT_BY_COLUMN.get(column)
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
        self._seq += 1
        seq = self._seq

        def fetch(registry: Registry) -> list[str]:
            if text:
                hits = search_people(registry, text, limit=500)
                return [
                    h.id
                    for h in hits
                    if h.kind == "beneficiaire" and (not status or h.status == status)
                ]
            return beneficiary_ids(registry, sort, descending, status)

        self.context.read(fetch, lambda ids: self._show(seq, ids, bool(text)))

    def _show(self, seq: int, ids: list[str], filtered: bool) -> None:
        if seq != self._seq:
            return
        current = self.table.current_id()
        self.model.set_ids(ids)
        noun = format_count(len(ids), "bénéficiaire", "bénéficiaires")
        self.count_label.setText(f"{noun} {'trouvé·es' if filtered else ''}".strip())
        if current:
            row = self.model.row_of(current)
            if row >= 0:
                self.table.selectRow(row)

    def _data_changed(self, entities: frozenset[str]) -> None:
        if "beneficiary" in entities:
            self.reload()

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()
