"""Documents that leave the building: the printed visit roster and the hours workbook.

Roster: pick an ISO week and a layout, preview the real PDF (rendered by pypdfium2),
then print it through the system's print dialog or save it. Hours: pick a period,
export the .xlsx, open its folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRect, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.paths import export_dir
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.services.week import current_iso_week, week_missions, week_monday
from bippop_desk.registry.store import Registry
from bippop_desk.reports.hours_workbook import WorkbookResult, write_hours_workbook
from bippop_desk.reports.pdf_render import PagePixels, render_pages
from bippop_desk.reports.roster import Layout, roster_pdf, write_roster
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE, french_date_edit, from_qdate
from bippop_desk.ui.messages import error_text

PREVIEW_DPI = 80
PRINT_DPI = 300
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def to_image(pixels: PagePixels) -> QImage:
    image = QImage(
        pixels.rgb, pixels.width, pixels.height, pixels.stride, QImage.Format.Format_RGB888
    )
    return image.copy()  # own the pixels: the bytes object may go away


class RosterBox(QGroupBox):
    def __init__(self, context: AppContext) -> None:
        super().__init__("Planning des visites à imprimer")
        self.context = context
        self.iso_year, self.iso_week = current_iso_week(local_today() + dt.timedelta(days=7))
        self.pdf: bytes | None = None
        self.pdf_key: tuple[int, int, Layout, bool] | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.previous = QPushButton("◀")
        self.previous.setToolTip("Semaine précédente")
        self.previous.clicked.connect(lambda: self.shift(-1))
        self.week_label = QLabel()
        self.week_label.setObjectName("roster_week")
        self.next = QPushButton("▶")
        self.next.setToolTip("Semaine suivante")
        self.next.clicked.connect(lambda: self.shift(1))
        self.by_volunteer = QRadioButton("un cahier par &bénévole")
        self.by_day = QRadioButton("par &jour")
        self.by_volunteer.setChecked(True)
        self.cancelled = QCheckBox("avec les annulées")
        for widget in (
            self.previous,
            self.week_label,
            self.next,
            self.by_volunteer,
            self.by_day,
            self.cancelled,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        buttons = QHBoxLayout()
        self.preview_button = QPushButton("&Aperçu")
        self.preview_button.clicked.connect(self.preview)
        self.print_button = QPushButton("&Imprimer…")
        self.print_button.clicked.connect(self.print_roster)
        self.save_button = QPushButton("Enregistrer le &PDF…")
        self.save_button.clicked.connect(self.save_pdf)
        for button in (self.preview_button, self.print_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.pages_holder = QWidget()
        self.pages_layout = QHBoxLayout(self.pages_holder)
        self.pages_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages_holder)
        layout.addWidget(scroll, 1)
        for toggle in (self.by_volunteer, self.by_day, self.cancelled):
            toggle.toggled.connect(self._options_changed)
        self._show_week()

    def layout_code(self) -> Layout:
        return "volunteer" if self.by_volunteer.isChecked() else "day"

    def shift(self, weeks: int) -> None:
        monday = week_monday(self.iso_year, self.iso_week) + dt.timedelta(weeks=weeks)
        self.iso_year, self.iso_week = current_iso_week(monday)
        self._show_week()
        self._options_changed()

    def _show_week(self) -> None:
        monday = week_monday(self.iso_year, self.iso_week)
        sunday = monday + dt.timedelta(days=6)
        self.week_label.setText(
            f"<b>Semaine {self.iso_week}</b> ({self.iso_year}-W{self.iso_week:02d}) : "
            f"du {monday:%d/%m} au {sunday:%d/%m/%Y}"
        )

    def _options_changed(self, *_args: object) -> None:
        self.pdf = None
        self._clear_pages()

    def _key(self) -> tuple[int, int, Layout, bool]:
        return (self.iso_year, self.iso_week, self.layout_code(), self.cancelled.isChecked())

    def _build(self, dpi: float, then: str) -> None:
        """Build the PDF (and render its pages at `dpi`) on the worker."""
        year, week, layout, cancelled = key = self._key()

        def work(registry: Registry) -> tuple[bytes, int, list[PagePixels]]:
            data = week_missions(registry, year, week)
            pdf, pages = roster_pdf(data, layout, include_cancelled=cancelled)
            return pdf, pages, render_pages(pdf, dpi)

        self.message.setText("Préparation du document…")
        self.context.read(
            work,
            lambda result: self._built(key, then, *result),
            self._failed,
            progress="Préparation du planning…",
        )

    def _built(
        self,
        key: tuple[int, int, Layout, bool],
        then: str,
        pdf: bytes,
        pages: int,
        images: list[PagePixels],
    ) -> None:
        self.pdf, self.pdf_key = pdf, key
        self.message.setText(f"{pages} page{'s' if pages > 1 else ''}.")
        if then == "preview":
            self._clear_pages()
            for pixels in images:
                label = QLabel()
                label.setPixmap(QPixmap.fromImage(to_image(pixels)))
                label.setStyleSheet("border: 1px solid #999; background: white;")
                self.pages_layout.insertWidget(self.pages_layout.count() - 1, label)
        elif then == "print":
            self._print_pages(images)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(f"Le planning n'a pas pu être préparé. {error_text(error)}")
        self.message.setStyleSheet(ERROR_STYLE)

    def _clear_pages(self) -> None:
        while self.pages_layout.count() > 1:
            item = self.pages_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def preview(self) -> None:
        self.message.setStyleSheet("")
        self._build(PREVIEW_DPI, "preview")

    def print_roster(self) -> None:
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(f"Planning des visites {self.iso_year}-W{self.iso_week:02d}")
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle("Imprimer le planning")
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self._build(min(PRINT_DPI, self.printer.resolution()), "print")

    def _print_pages(self, images: list[PagePixels]) -> None:
        painter = QPainter()
        if not painter.begin(self.printer):
            self.message.setText("L'imprimante n'a pas accepté le document.")
            return
        for number, pixels in enumerate(images):
            if number:
                self.printer.newPage()
            image = to_image(pixels)
            area = self.printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
            scaled = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(0, 0, scaled.width(), scaled.height()), image)
        painter.end()
        self.message.setText(
            f"{len(images)} page{'s' if len(images) > 1 else ''} envoyée(s) à l'imprimante."
        )

    def save_pdf(self) -> None:
        default = (
            export_dir() / f"planning-{self.iso_year}-S{self.iso_week:02d}-{self.layout_code()}.pdf"
        )
        path, _ = QFileDialog.getSaveFileName(
            self, "Enregistrer le planning", str(default), "PDF (*.pdf)"
        )
        if not path:
            return
        year, week, layout, cancelled = self._key()
        target = Path(path)

        def work(registry: Registry) -> int:
            return write_roster(
                registry,
                year,
                week,
                layout,
                target,
                include_cancelled=cancelled,
            ).pages

        self.context.read(
            work,
            lambda pages: self.message.setText(
                f"Planning enregistré ({pages} page{'s' if pages > 1 else ''}) : {target}"
            ),
            self._failed,
        )


class HoursBox(QGroupBox):
    def __init__(self, context: AppContext) -> None:
        super().__init__("Heures de bénévolat pour le conseil départemental (.xlsx)")
        self.context = context
        today = local_today()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("hours_kind")
        for code, label in (
            ("month", "Un mois"),
            ("quarter", "Un trimestre"),
            ("year", "Une année"),
            ("custom", "Période libre"),
        ):
            self.kind.addItem(label, code)
        self.kind.setCurrentIndex(2)
        self.year = QSpinBox()
        self.year.setRange(2015, today.year + 1)
        self.year.setValue(today.year)
        self.month = QComboBox()
        self.month.addItems([m.capitalize() for m in MONTHS])
        self.month.setCurrentIndex(today.month - 1)
        self.quarter = QComboBox()
        self.quarter.addItems(["1er trimestre", "2e trimestre", "3e trimestre", "4e trimestre"])
        self.quarter.setCurrentIndex((today.month - 1) // 3)
        self.start = french_date_edit(today.replace(day=1))
        self.end = french_date_edit(today)
        kind_label = QLabel("&Période :")
        kind_label.setBuddy(self.kind)
        for widget in (
            kind_label,
            self.kind,
            self.month,
            self.quarter,
            self.year,
            self.start,
            self.end,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        self.pseudonymise = QCheckBox(
            "Remplacer les noms des bénévoles par des &codes (document envoyé hors de la mairie)"
        )
        layout.addWidget(self.pseudonymise)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("E&xporter le tableau…")
        self.export_button.clicked.connect(self.export)
        self.open_folder = QPushButton("&Ouvrir le dossier")
        self.open_folder.setEnabled(False)
        self.open_folder.clicked.connect(self._open_folder)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.open_folder)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setObjectName("hours_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.last_file: Path | None = None
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.month.setVisible(kind == "month")
        self.quarter.setVisible(kind == "quarter")
        self.year.setVisible(kind in ("month", "quarter", "year"))
        self.start.setVisible(kind == "custom")
        self.end.setVisible(kind == "custom")

    def period(self) -> Period:
        kind = self.kind.currentData()
        year = self.year.value()
        if kind == "month":
            return Period.month(year, self.month.currentIndex() + 1)
        if kind == "quarter":
            return Period.quarter(year, self.quarter.currentIndex() + 1)
        if kind == "year":
            return Period.year(year)
        return Period.between(from_qdate(self.start.date()), from_qdate(self.end.date()))

    def export(self, path: str | None = None) -> None:
        self.message.setStyleSheet("")
        try:
            period = self.period()
        except ValidationError as error:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(error))
            return
        if path is None:
            suffix = "-codes" if self.pseudonymise.isChecked() else ""
            default = (
                export_dir()
                / f"heures-benevolat-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}{suffix}.xlsx"
            )
            path, _ = QFileDialog.getSaveFileName(
                self, "Exporter les heures", str(default), "Classeur Excel (*.xlsx)"
            )
            if not path:
                return
        target = Path(path)
        pseudonymise = self.pseudonymise.isChecked()
        actor = self.context.actor.display_name
        self.export_button.setEnabled(False)
        self.context.read(
            lambda registry: write_hours_workbook(
                registry, period, target, pseudonymise=pseudonymise, generated_by=actor
            ),
            self._exported,
            self._failed,
            progress="Écriture du tableau des heures…",
        )

    def _exported(self, result: WorkbookResult) -> None:
        self.export_button.setEnabled(True)
        self.last_file = result.path
        self.open_folder.setEnabled(True)
        self.message.setText(
            f"Tableau enregistré : {result.path.name} — {result.entries} saisies, "
            f"{result.hours_text} heures. Dossier : {result.path.parent}"
        )

    def _failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(f"L'export n'a pas pu être fait. {error_text(error)}")

    def _open_folder(self) -> None:
        if self.last_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_file.parent)))


class ReportsPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Documents</h2>"))
        self.hours = HoursBox(context)
        self.roster = RosterBox(context)
        layout.addWidget(self.hours)
        layout.addWidget(self.roster, 1)
