"""Importer depuis un tableur: choose the kind and the file, check the column mapping on
a preview, read the report (rejected rows with their reason, possible duplicates), then
import all or nothing. Reading and checking run on the DB worker; nothing is written
until "Importer" is pressed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.importing import KINDS, ImportPlan, ImportResult, apply_import
from bippop_desk.registry.importing.columns import field_labels
from bippop_desk.registry.importing.plan import prepare_import
from bippop_desk.registry.importing.readers import Grid, read_grid
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text

IGNORE = ""
FILES = "Tableurs (*.xlsx *.ods *.xls *.csv);;Tous les fichiers (*)"
ENTITIES = {
    "beneficiaries": {"beneficiary"},
    "volunteers": {"volunteer"},
    "register": {"beneficiary", "register_entry"},
}


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _fill(model: QStandardItemModel, headers: list[str], rows: list[list[str]]) -> None:
    model.clear()
    model.setHorizontalHeaderLabels(headers)
    for row in rows:
        model.appendRow([QStandardItem(text) for text in row])


class ImportDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Importer depuis un tableur")
        self.resize(1000, 680)
        self.grid: Grid | None = None
        self.plan: ImportPlan | None = None
        self.import_result: ImportResult | None = None
        self.path: Path | None = None
        self._seq = 0
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("import_kind")
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        form.addRow("&Que contient le fichier ?", self.kind)
        file_row = QHBoxLayout()
        self.file_label = QLabel("Aucun fichier choisi.")
        self.choose_button = QPushButton("&Choisir le fichier…")
        self.choose_button.clicked.connect(lambda: self.choose_file())
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.choose_button)
        form.addRow("Fichier :", file_row)
        layout.addLayout(form)

        self.summary = QLabel(
            "Choisissez un fichier .xlsx, .ods ou .csv : rien n'est "
            "enregistré avant que vous cliquiez sur « Importer »."
        )
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.mapping_view = _table("import_mapping")
        self.mapping_model = QStandardItemModel(self)
        self.mapping_view.setModel(self.mapping_model)
        self.preview_view = _table("import_preview")
        self.preview_model = QStandardItemModel(self)
        self.preview_view.setModel(self.preview_model)
        self.rejected_view = _table("import_rejected")
        self.rejected_model = QStandardItemModel(self)
        self.rejected_view.setModel(self.rejected_model)
        self.duplicates_view = _table("import_duplicates")
        self.duplicates_model = QStandardItemModel(self)
        self.duplicates_view.setModel(self.duplicates_model)
        self.tabs.addTab(self.mapping_view, "&1 Colonnes")
        self.tabs.addTab(self.preview_view, "&2 Aperçu")
        self.tabs.addTab(self.rejected_view, "&3 Lignes refusées")
        self.tabs.addTab(self.duplicates_view, "&4 Doublons")
        # Rows imported with a remark (a birth year alone: the date left to complete).
        self.warnings_view = _table("import_warnings")
        self.warnings_model = QStandardItemModel(self)
        self.warnings_view.setModel(self.warnings_model)
        self.tabs.addTab(self.warnings_view, "&5 Remarques")
        layout.addWidget(self.tabs, 1)

        self.include_possible = QCheckBox(
            "Importer aussi les &doublons possibles (ce sont d'autres personnes)"
        )
        self.include_possible.toggled.connect(lambda _on: self._show_summary())
        layout.addWidget(self.include_possible)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("&Importer")
        self.import_button.setObjectName("import_go")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        close = QPushButton("&Fermer")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self._check(None))

    # -- reading and checking (DB worker) --------------------------------------------------
    def choose_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Fichier à importer", "", FILES)
            if not path:
                return
        self.path = Path(path)
        self.grid = None
        self.file_label.setText(self.path.name)
        self._check(None)

    def _check(self, mapping: dict[int, str] | None) -> None:
        if self.path is None:
            return
        self._seq += 1
        seq, path, kind, grid = self._seq, self.path, self.kind.currentData(), self.grid
        self.import_button.setEnabled(False)
        self.summary.setStyleSheet("")
        self.summary.setText("Lecture et vérification du fichier…")

        def work(registry: Registry) -> tuple[Grid, ImportPlan]:
            read = grid or read_grid(path)
            return read, prepare_import(registry, path, kind, mapping, grid=read)

        self.context.read(
            work,
            lambda result: self._checked(seq, *result),
            lambda error: self._failed(seq, error),
            progress="Vérification du fichier…",
        )

    def _checked(self, seq: int, grid: Grid, plan: ImportPlan) -> None:
        if seq != self._seq:
            return
        self.grid, self.plan = grid, plan
        self._show_mapping(plan)
        _fill(self.preview_model, plan.headers, plan.preview)
        _fill(
            self.rejected_model,
            ["Ligne", "Personne", "Raison"],
            [[str(r.line), r.name, r.reason] for r in plan.rejected],
        )
        _fill(
            self.duplicates_model,
            ["Ligne", "Personne du fichier", "Déjà dans le registre", "Pourquoi", "Import"],
            [
                [
                    str(d.line),
                    d.name,
                    d.existing,
                    d.reason,
                    "jamais (même personne)" if d.certain else "si la case est cochée",
                ]
                for d in plan.duplicates
            ],
        )
        _fill(
            self.warnings_model,
            ["Ligne", "Personne", "Remarque"],
            [[str(w.line), w.name, w.message] for w in plan.warnings],
        )
        for view in (self.rejected_view, self.duplicates_view, self.warnings_view):
            view.resizeColumnsToContents()
        self.tabs.setTabText(2, f"&3 Lignes refusées ({len(plan.rejected)})")
        self.tabs.setTabText(3, f"&4 Doublons ({len(plan.duplicates)})")
        self.tabs.setTabText(4, f"&5 Remarques ({len(plan.warnings)})")
        self._show_summary()

    def _failed(self, seq: int, error: BaseException) -> None:
        if seq != self._seq:
            return
        self.plan = None
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(error_text(error))
        self.import_button.setEnabled(False)

    def _show_summary(self) -> None:
        plan = self.plan
        if plan is None:
            return
        include = self.include_possible.isChecked()
        text = (
            f"« {plan.file_name} » : en-têtes trouvés ligne {plan.header_line}. "
            f"{plan.summary(include)}."
        )
        if plan.already_imported:
            self.summary.setStyleSheet(ERROR_STYLE)
            self.summary.setText(f"{text} {plan.already_imported}")
        else:
            self.summary.setStyleSheet("")
            self.summary.setText(text)
        can = not plan.already_imported and bool(plan.rows_to_create(include))
        self.import_button.setEnabled(can)

    # -- the mapping ---------------------------------------------------------------------
    def _show_mapping(self, plan: ImportPlan) -> None:
        labels = field_labels(plan.kind)
        self.mapping_model.clear()
        self.mapping_model.setHorizontalHeaderLabels(["Colonne du fichier", "Exemple", "Devient"])
        example = plan.preview[0] if plan.preview else []
        for index, header in enumerate(plan.headers):
            sample = example[index] if index < len(example) else ""
            self.mapping_model.appendRow(
                [
                    QStandardItem(header or f"(colonne {index + 1})"),
                    QStandardItem(sample),
                    QStandardItem(""),
                ]
            )
            combo = QComboBox()
            combo.addItem("— ne pas importer —", IGNORE)
            for key, label in labels.items():
                combo.addItem(label, key)
            combo.setCurrentIndex(max(combo.findData(plan.mapping.get(index, IGNORE)), 0))
            combo.currentIndexChanged.connect(lambda _i: self._mapping_changed())
            self.mapping_view.setIndexWidget(self.mapping_model.index(index, 2), combo)
        self.mapping_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )

    def mapping_combo(self, column: int) -> QComboBox:
        widget = self.mapping_view.indexWidget(self.mapping_model.index(column, 2))
        assert isinstance(widget, QComboBox)
        return widget

    def _mapping_changed(self) -> None:
        mapping = {}
        for row in range(self.mapping_model.rowCount()):
            key = self.mapping_combo(row).currentData()
            if key:
                mapping[row] = str(key)
        self._check(mapping)

    # -- importing -------------------------------------------------------------------------
    def run_import(self) -> None:
        plan = self.plan
        if plan is None:
            return
        include = self.include_possible.isChecked()
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.context.mutate(
            lambda registry: apply_import(registry, plan, include_possible_duplicates=include),
            ENTITIES[plan.kind],
            self._imported,
            self._import_failed,
            progress="Import en cours…",
        )

    def _imported(self, result: ImportResult) -> None:
        assert self.plan is not None
        self.import_result = result
        self.choose_button.setEnabled(True)
        self.summary.setStyleSheet("")
        self.summary.setText(f"Import terminé : {result.sentence(self.plan.kind)}")
        self.plan.already_imported = "Ce fichier vient d'être importé."

    def _import_failed(self, error: BaseException) -> None:
        self.choose_button.setEnabled(True)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(f"Rien n'a été importé. {error_text(error)}")
        self._show_summary_button_only()

    def _show_summary_button_only(self) -> None:
        plan = self.plan
        self.import_button.setEnabled(plan is not None and not plan.already_imported)
