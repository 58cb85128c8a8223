"""Tableau de bord: the period's impact at a glance (key figures and QtCharts charts),
and the annual activity report (PDF) for the conseil municipal and the funders.

The figures are read on the DB worker (`services/dashboard.py`); this page only draws
them. The page reloads when hours, missions, requests or volunteers change, and only
while it is shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.paths import export_dir
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import LOCALE
from bippop_desk.registry.services.dashboard import Dashboard, dashboard, key_figures
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.messages import error_text

GREEN = QColor("#2e7d32")
INK = QColor("#1f2a44")
GREY = QColor("#b0b7c3")
WATCHED = frozenset(
    {"hours_entry", "mission", "request", "volunteer", "beneficiary", "app_setting"}
)
CARD_STYLE = "QFrame#card { background: #f6faf6; border: 1px solid #c9d6c9; border-radius: 6px; }"
MAX_TYPES = 10
MONTH_SHORT = ("jan", "fév", "mar", "avr", "mai", "jun", "jul", "aoû", "sep", "oct", "nov", "déc")


class FigureCard(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("card")
        self.setStyleSheet(CARD_STYLE)
        layout = QVBoxLayout(self)
        self.value = QLabel()
        self.value.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1f2a44;")
        self.label = QLabel()
        self.label.setStyleSheet("font-weight: bold;")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        for widget in (self.value, self.label, self.detail):
            layout.addWidget(widget)


def _chart_view(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(240)
    return chart, view


class DashboardPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.board: Dashboard | None = None
        self._stale = True
        self._seq = 0
        self.last_report: Path | None = None
        today = local_today()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Tableau de bord</h2>"))

        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("dashboard_kind")
        for code, label in (("year", "Année"), ("quarter", "Trimestre"), ("month", "Mois")):
            self.kind.addItem(label, code)
        self.year = QSpinBox()
        self.year.setObjectName("dashboard_year")
        self.year.setRange(2015, today.year + 1)
        self.year.setValue(today.year)
        self.part = QComboBox()
        kind_label = QLabel("&Période :")
        kind_label.setBuddy(self.kind)
        self.report_button = QPushButton("&Rapport d'activité (PDF)…")
        self.report_button.setObjectName("dashboard_report")
        self.report_button.clicked.connect(lambda: self.write_report())
        self.open_button = QPushButton("&Ouvrir le rapport")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_report)
        for widget in (kind_label, self.kind, self.part, self.year):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.report_button)
        bar.addWidget(self.open_button)
        layout.addLayout(bar)
        self.message = QLabel()
        self.message.setObjectName("dashboard_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.cards_grid = QGridLayout()
        self.cards: list[FigureCard] = []
        layout.addLayout(self.cards_grid)
        charts = QHBoxLayout()
        self.months_chart, months_view = _chart_view("Heures de bénévolat par mois")
        self.types_chart, types_view = _chart_view("Interventions par type de mission")
        self.reach_chart, reach_view = _chart_view("Personnes aidées")
        self.reach_chart.legend().show()
        self.reach_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        charts.addWidget(months_view, 3)
        charts.addWidget(types_view, 3)
        charts.addWidget(reach_view, 2)
        layout.addLayout(charts, 1)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet("color: #5a6275;")
        layout.addWidget(self.source)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.part.currentIndexChanged.connect(lambda _i: self.reload())
        self.year.valueChanged.connect(lambda _v: self.reload())
        context.data_changed.connect(self._data_changed)
        context.registry_ready.connect(self.reload)
        self._kind_changed()

    # -- period ---------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        from babel.dates import get_month_names

        kind = self.kind.currentData()
        today = local_today()
        self.part.blockSignals(True)
        self.part.clear()
        if kind == "month":
            names = get_month_names("wide", locale=LOCALE)
            self.part.addItems([str(names[m]).capitalize() for m in range(1, 13)])
            self.part.setCurrentIndex(today.month - 1)
        elif kind == "quarter":
            self.part.addItems(["1er trimestre", "2e trimestre", "3e trimestre", "4e trimestre"])
            self.part.setCurrentIndex((today.month - 1) // 3)
        self.part.setVisible(kind != "year")
        self.part.blockSignals(False)
        self.reload()

    def period(self) -> Period:
        kind, year = self.kind.currentData(), self.year.value()
        if kind == "month":
            return Period.month(year, self.part.currentIndex() + 1)
        if kind == "quarter":
            return Period.quarter(year, self.part.currentIndex() + 1)
        return Period.year(year)

    # -- loading (DB worker) ------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _data_changed(self, entities: frozenset[str]) -> None:
        if entities & WATCHED:
            self._stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        if not self.context.ready:
            return
        self._stale = False
        self._seq += 1
        seq, period = self._seq, self.period()
        self.context.read(
            lambda registry: dashboard(registry, period),
            lambda board: self._loaded(seq, board),
            self._failed,
        )

    def _loaded(self, seq: int, board: Dashboard) -> None:
        if seq != self._seq:
            return  # an older period's figures arriving late
        self.board = board
        self.message.setStyleSheet("")
        self.message.setText(f"Période : {board.period.title}.")
        self._show_cards(board)
        self._show_months(board)
        self._show_types(board)
        self._show_reach(board)
        self.source.setText(
            "Mêmes chiffres que le tableau des heures (heures nettes, interventions "
            f"distinctes, personnes comptées une fois). Valorisation : {board.rates_source}."
        )

    def _failed(self, error: BaseException) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(f"Le tableau de bord n'a pas pu être calculé. {error_text(error)}")

    # -- drawing ---------------------------------------------------------------------------
    def _show_cards(self, board: Dashboard) -> None:
        figures = key_figures(board)
        while len(self.cards) < len(figures):
            card = FigureCard()
            index = len(self.cards)
            self.cards_grid.addWidget(card, index // 4, index % 4)
            self.cards.append(card)
        for card, figure in zip(self.cards, figures, strict=False):
            card.value.setText(figure.value)
            card.label.setText(figure.label)
            card.detail.setText(figure.detail)
            card.setAccessibleName(f"{figure.label} : {figure.value}. {figure.detail}")
            card.show()
        for card in self.cards[len(figures) :]:
            card.hide()

    def _show_months(self, board: Dashboard) -> None:
        chart = self.months_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        months = board.hours_by_month()
        bars = QBarSet("Heures")
        bars.setColor(GREEN)
        for _month, hours in months:
            bars.append(float(hours))
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        # Three letters, all different (a category axis merges equal names: "J", "J").
        names = [MONTH_SHORT[m.month - 1] for m, _h in months]
        x_axis = QBarCategoryAxis()
        x_axis.append(names)
        font = QFont(x_axis.labelsFont())
        font.setPointSizeF(max(font.pointSizeF() - 2, 7))
        x_axis.setLabelsFont(font)
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%.0f")
        y_axis.setMin(0)
        y_axis.setMax(max([float(h) for _m, h in months] + [1.0]) * 1.1)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    def _show_types(self, board: Dashboard) -> None:
        chart = self.types_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        types = list(reversed(board.missions_by_type[:MAX_TYPES]))  # largest on top
        bars = QBarSet("Interventions")
        bars.setColor(INK)
        for item in types:
            bars.append(item.missions)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        y_axis = QBarCategoryAxis()
        y_axis.append([item.label for item in types] or [""])
        x_axis = QValueAxis()
        x_axis.setLabelFormat("%d")
        x_axis.setMin(0)
        x_axis.setMax(max([item.missions for item in types] + [1]) * 1.15)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(y_axis)
        series.attachAxis(x_axis)

    def _show_reach(self, board: Dashboard) -> None:
        chart = self.reach_chart
        chart.removeAllSeries()
        offline = board.people_offline
        online = board.hours.beneficiaries - offline
        series = QPieSeries()
        series.setHoleSize(0.35)
        for label, count, color in (
            ("sans internet", offline, GREEN),
            ("avec internet", online, GREY),
        ):
            piece = series.append(f"{count} {label}", count)
            piece.setColor(color)
        chart.addSeries(series)

    # -- the annual report -----------------------------------------------------------------
    def write_report(self, path: str | None = None) -> None:
        from bippop_desk.reports.annual_report import report_file_name, write_annual_report

        period = self.period()
        if path is None:
            default = export_dir() / report_file_name(period, self.context.commune_name)
            path, _ = QFileDialog.getSaveFileName(
                self, "Rapport d'activité", str(default), "Document PDF (*.pdf)"
            )
            if not path:
                return
        target = Path(path)
        self.report_button.setEnabled(False)
        self.context.read(
            lambda registry: write_annual_report(registry, period, target),
            self._report_written,
            self._report_failed,
            progress="Écriture du rapport d'activité…",
        )

    def _report_written(self, path: Path) -> None:
        self.report_button.setEnabled(True)
        self.last_report = path
        self.open_button.setEnabled(True)
        self.message.setStyleSheet("")
        self.message.setText(f"Rapport enregistré : {path.name} — dossier : {path.parent}")

    def _report_failed(self, error: BaseException) -> None:
        self.report_button.setEnabled(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(f"Le rapport n'a pas pu être écrit. {error_text(error)}")

    def _open_report(self) -> None:
        if self.last_report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_report)))
