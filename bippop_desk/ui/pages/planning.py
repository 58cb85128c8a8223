"""The week's planning: volunteers × days, missions as coloured chips, ISO-week navigation.

Built from `week_missions` (one Core query) on the DB worker; the grid is a table model
over the week's volunteers, painted by a delegate, so 2,000 missions draw at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import short_time
from bippop_desk.registry.models.missions import MISSION_STATUSES
from bippop_desk.registry.services.week import (
    WeekData,
    WeekMission,
    current_iso_week,
    parse_iso_week,
    week_missions,
    week_monday,
)
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext

Index = QModelIndex | QPersistentModelIndex
MISSIONS_ROLE = Qt.ItemDataRole.UserRole + 1

# Colour per status, readable with black text, distinguishable in greyscale print too.
STATUS_COLOURS = {
    "planifiee": "#cfe3fb",
    "realisee": "#cdebd0",
    "validee": "#9fd8a6",
    "annulee": "#e6e6e6",
    "absent": "#fbd9c9",
}
HOLIDAY_COLOUR = "#fde2e2"
WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


class WeekModel(QAbstractTableModel):
    """Rows: volunteers of the week (missions to staff last); columns: the seven days."""

    def __init__(self) -> None:
        super().__init__()
        self.week: WeekData | None = None
        self.rows: list[tuple[str, list[list[WeekMission]]]] = []
        self.show_cancelled = False

    def set_week(self, week: WeekData) -> None:
        self.beginResetModel()
        self.week = week
        self.rows = []
        for group in week.by_volunteer():
            cells: list[list[WeekMission]] = [[] for _ in range(7)]
            for mission in group.missions:
                if mission.status == "annulee" and not self.show_cancelled:
                    continue
                cells[mission.day.weekday()].append(mission)
            if any(cells):
                self.rows.append((group.volunteer_name, cells))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def missions_at(self, index: Index) -> list[WeekMission]:
        if not index.isValid() or index.row() >= len(self.rows):
            return []
        return self.rows[index.row()][1][index.column()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        missions = self.missions_at(index)
        if role == MISSIONS_ROLE:
            return missions
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return "\n".join(chip_text(m) + f" ({m.status_label})" for m in missions) or "libre"
        week = self.week
        if role == Qt.ItemDataRole.BackgroundRole and week and week.days[index.column()].holiday:
            return QBrush(QColor(HOLIDAY_COLOUR))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and section < len(self.rows):
                return self.rows[section][0]
            return None
        if self.week is None:
            return None
        day = self.week.days[section]
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{WEEKDAYS[section]} {day.day:%d/%m}"
            return f"{text}\n{day.holiday}" if day.holiday else text
        if role == Qt.ItemDataRole.ToolTipRole and day.holiday:
            return f"Jour férié : {day.holiday}"
        if role == Qt.ItemDataRole.BackgroundRole and day.holiday:
            return QBrush(QColor(HOLIDAY_COLOUR))
        return None


def chip_text(mission: WeekMission) -> str:
    return (
        f"{short_time(mission.starts_at)} {mission.beneficiary_name} — {mission.mission_type_label}"
    )


class ChipDelegate(QStyledItemDelegate):
    """Paints a cell's missions as stacked coloured chips; finds the chip under a click."""

    open_mission = Signal(str)

    def chip_height(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() * 2 + 6  # two lines: when and what, then who

    def _chip_rects(self, option: QStyleOptionViewItem, count: int) -> list[QRect]:
        height = self.chip_height(option)
        rect = option.rect.adjusted(2, 2, -2, -2)
        return [
            QRect(rect.left(), rect.top() + i * (height + 2), rect.width(), height)
            for i in range(count)
        ]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        missions: list[WeekMission] = index.data(MISSIONS_ROLE) or []
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(background, QBrush):
            painter.fillRect(option.rect, background)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(
                option.rect, option.palette.color(QPalette.ColorRole.Highlight).lighter(170)
            )
        painter.save()
        for mission, rect in zip(missions, self._chip_rects(option, len(missions)), strict=True):
            painter.setPen(QColor("#7a8a99"))
            painter.setBrush(QColor(STATUS_COLOURS.get(mission.status, "#ffffff")))
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(QColor("#000000"))
            font = painter.font()
            font.setStrikeOut(mission.status == "annulee")
            painter.setFont(font)
            width = rect.width() - 8
            metrics = option.fontMetrics
            start, end = short_time(mission.starts_at), short_time(mission.ends_at)
            lines = [
                metrics.elidedText(
                    f"{start}–{end} {mission.mission_type_label}",
                    Qt.TextElideMode.ElideRight,
                    width,
                ),
                metrics.elidedText(mission.beneficiary_name, Qt.TextElideMode.ElideRight, width),
            ]
            painter.drawText(
                rect.adjusted(4, 3, -4, -3), Qt.AlignmentFlag.AlignTop, "\n".join(lines)
            )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        count = max(1, len(index.data(MISSIONS_ROLE) or []))
        return QSize(
            option.fontMetrics.horizontalAdvance("n") * 24,
            count * (self.chip_height(option) + 2) + 4,
        )

    def mission_at(self, option: QStyleOptionViewItem, index: Index, point: QPoint) -> str | None:
        missions: list[WeekMission] = index.data(MISSIONS_ROLE) or []
        for mission, rect in zip(missions, self._chip_rects(option, len(missions)), strict=True):
            if rect.contains(point):
                return mission.id
        return None

    def editorEvent(
        self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: Index
    ) -> bool:
        if event.type() == QEvent.Type.MouseButtonDblClick and isinstance(event, QMouseEvent):
            mission_id = self.mission_at(option, index, event.position().toPoint())
            if mission_id:
                self.open_mission.emit(mission_id)
                return True
        return False


class WeekGrid(QTableView):
    open_mission = Signal(str)

    def __init__(self, model: WeekModel) -> None:
        super().__init__()
        self.week_model = model
        self.setModel(model)
        self.delegate = ChipDelegate(self)
        self.delegate.open_mission.connect(self.open_mission)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
            return
        super().keyPressEvent(event)

    def open_current(self) -> None:
        missions = self.week_model.missions_at(self.currentIndex())
        if len(missions) == 1:
            self.open_mission.emit(missions[0].id)
        elif missions:
            menu = QMenu(self)
            for mission in missions:
                action = menu.addAction(chip_text(mission))
                action.triggered.connect(lambda _=False, m=mission.id: self.open_mission.emit(m))
            menu.exec(self.viewport().mapToGlobal(self.visualRect(self.currentIndex()).center()))


class PlanningPage(QWidget):
    open_mission = Signal(str)
    week_shown = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.iso_year, self.iso_week = current_iso_week()
        self._seq = 0
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Planning de la semaine</h2>"))
        bar = QHBoxLayout()
        self.previous = QPushButton("◀ Semaine &précédente")
        self.previous.clicked.connect(lambda: self.shift(-1))
        self.today = QPushButton("&Cette semaine")
        self.today.clicked.connect(self.this_week)
        self.next = QPushButton("Semaine &suivante ▶")
        self.next.clicked.connect(lambda: self.shift(1))
        self.jump = QLineEdit()
        self.jump.setPlaceholderText("2026-W48")
        self.jump.setMaximumWidth(self.fontMetrics().horizontalAdvance("2026-W48") * 2)
        self.jump.returnPressed.connect(self._jump)
        jump_label = QLabel("&Aller à :")
        jump_label.setBuddy(self.jump)
        self.cancelled = QCheckBox("Montrer les &annulées")
        self.cancelled.toggled.connect(self._toggle_cancelled)
        for widget in (self.previous, self.today, self.next, jump_label, self.jump, self.cancelled):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.title = QLabel()
        self.title.setObjectName("planning_title")
        layout.addWidget(self.title)
        self.message = QLabel()
        layout.addWidget(self.message)
        self.model = WeekModel()
        self.grid = WeekGrid(self.model)
        self.grid.setObjectName("planning_grid")
        self.grid.open_mission.connect(self.open_mission)
        layout.addWidget(self.grid, 1)
        swatches = [(colour, MISSION_STATUSES[code]) for code, colour in STATUS_COLOURS.items()]
        swatches.append((HOLIDAY_COLOUR, "jour férié"))
        legend = QLabel(
            " ".join(
                f"<span style='background:{c};'>&nbsp;{text}&nbsp;</span>" for c, text in swatches
            )
            + " — Entrée ou double-clic sur une intervention : l'ouvrir."
        )
        layout.addWidget(legend)
        context.registry_ready.connect(self.reload)
        context.data_changed.connect(
            lambda entities: self.reload() if "mission" in entities else None
        )
        if context.ready:
            self.reload()

    def shift(self, weeks: int) -> None:
        monday = week_monday(self.iso_year, self.iso_week) + dt.timedelta(weeks=weeks)
        self.iso_year, self.iso_week = current_iso_week(monday)
        self.reload()

    def this_week(self) -> None:
        self.iso_year, self.iso_week = current_iso_week()
        self.reload()

    def show_week(self, iso_year: int, iso_week: int) -> None:
        self.iso_year, self.iso_week = iso_year, iso_week
        self.reload()

    def _jump(self) -> None:
        try:
            self.show_week(*parse_iso_week(self.jump.text()))
            self.message.clear()
        except ValidationError as error:
            self.message.setText(str(error))

    def _toggle_cancelled(self, shown: bool) -> None:
        self.model.show_cancelled = shown
        if self.model.week is not None:
            self.model.set_week(self.model.week)

    def reload(self) -> None:
        self._seq += 1
        seq = self._seq
        year, week = self.iso_year, self.iso_week

        def fetch(registry: Registry) -> WeekData:
            return week_missions(registry, year, week)

        self.context.read(fetch, lambda data: self._show(seq, data))

    def _show(self, seq: int, week: WeekData) -> None:
        if seq != self._seq:
            return
        self.model.set_week(week)
        count = week.mission_count()
        holidays = ", ".join(f"{name} ({day:%d/%m})" for day, name in week.public_holidays)
        self.title.setText(
            f"<b>{week.label}</b> — {count} intervention{'s' if count > 1 else ''}"
            + (f" — férié : {holidays}" if holidays else "")
        )
        self.message.setText("" if count else "Aucune intervention cette semaine.")
        self.week_shown.emit()
