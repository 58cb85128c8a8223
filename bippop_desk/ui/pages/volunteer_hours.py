"""A volunteer's hours in the file: the recent entries, time that is not a visit
(training, meetings…) added by hand, and corrections (entries are append-only: a
correction is a new entry of the difference). Also the name of the .ics export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models.missions import HOURS_KINDS
from bippop_desk.registry.services.hours import (
    MANUAL_KINDS,
    HoursInput,
    HoursLine,
    add_hours,
    correct_hours,
)
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog
from bippop_desk.ui.forms import french_date_edit, from_qdate
from bippop_desk.ui.list_model import ListItem

RECENT_LINES = 50


# -- wording -------------------------------------------------------------------------
def signed_hours(minutes: int) -> str:
    """90 → "1 h 30", -30 → "-0 h 30"."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {rest:02d}"


def km_text(km: Decimal) -> str:
    return f"{km:.1f}".replace(".", ",") + " km"


def hours_item(line: HoursLine) -> ListItem:
    parts = [short_date(line.entry_date), line.kind_label, signed_hours(line.minutes)]
    if line.mileage_km:
        parts.append(km_text(line.mileage_km))
    detail = f"{line.note} — " if line.note else ""
    return ListItem(line.id, " — ".join(parts), f"{detail}saisi par {line.created_by}", line)


def calendar_file_name(first_name: str) -> str:
    """ "agenda-Marie-Hélène.ics": the first name, safe in any file system."""
    safe = re.sub(r"[^\w-]+", "-", first_name.strip()).strip("-_")
    return f"agenda-{safe or 'benevole'}.ics"


@dataclass(frozen=True)
class EntryTotal:
    """An original entry and what it adds up to with its corrections."""

    line: HoursLine
    minutes: int
    mileage_km: Decimal

    def text(self) -> str:
        return (
            f"{short_date(self.line.entry_date)} — {self.line.kind_label} — "
            f"{signed_hours(self.minutes)}, {km_text(self.mileage_km)}"
            + (f" — {self.line.note}" if self.line.note else "")
        )


def entry_totals(lines: list[HoursLine]) -> list[EntryTotal]:
    """Each original entry among `lines`, with its corrections summed in."""
    originals = [line for line in lines if not line.corrects_entry_id]
    totals: list[EntryTotal] = []
    for original in originals:
        related = [line for line in lines if original.id in (line.id, line.corrects_entry_id)]
        totals.append(
            EntryTotal(
                original,
                sum(line.minutes for line in related),
                sum((line.mileage_km for line in related), Decimal(0)),
            )
        )
    return totals


# -- widgets -----------------------------------------------------------------------------
class DurationEdit(QWidget):
    """Hours and minutes in two spin boxes (a duration, not a time of day)."""

    def __init__(self, minutes: int = 120, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.hours = QSpinBox()
        self.hours.setRange(0, 24)
        self.hours.setSuffix(" h")
        self.hours.setAccessibleName("Heures")
        self.minutes_box = QSpinBox()
        self.minutes_box.setRange(0, 59)
        self.minutes_box.setSingleStep(5)
        self.minutes_box.setSuffix(" min")
        self.minutes_box.setAccessibleName("Minutes")
        row.addWidget(self.hours)
        row.addWidget(self.minutes_box)
        row.addStretch(1)
        self.setFocusProxy(self.hours)
        self.set_minutes(minutes)

    def minutes(self) -> int:
        return self.hours.value() * 60 + self.minutes_box.value()

    def set_minutes(self, minutes: int) -> None:
        hours, rest = divmod(max(minutes, 0), 60)
        self.hours.setValue(hours)
        self.minutes_box.setValue(rest)


class AddHoursDialog(FormDialog):
    """Time given that is not a visit: training, a meeting, another task."""

    def __init__(self, context: AppContext, volunteer_id: str, parent: QWidget | None = None):
        super().__init__(context, "Ajouter des heures", parent)
        self.volunteer_id = volunteer_id
        today = local_today()
        self.entry_date = french_date_edit(today)
        self.entry_date.setMaximumDate(self.entry_date.date())
        self.kind = QComboBox()
        for code in MANUAL_KINDS:
            self.kind.addItem(HOURS_KINDS[code], code)
        self.duration = DurationEdit(120)
        self.mileage = QLineEdit("0")
        self.mileage.setPlaceholderText("Exemple : 12,5")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Formation premiers secours, réunion des bénévoles…")
        self.row("entry_date", "&Date", self.entry_date)
        self.row("kind", "&Nature", self.kind)
        self.row("minutes", "Du&rée", self.duration)
        self.row("mileage_km", "&Kilomètres parcourus", self.mileage)
        self.row("note", "&Remarque", self.note)
        self.kind.setFocus()
        self.fit()

    def value(self) -> HoursInput:
        return HoursInput(
            volunteer_id=self.volunteer_id,
            entry_date=from_qdate(self.entry_date.date()),
            minutes=self.duration.minutes(),
            kind=str(self.kind.currentData()),
            mileage_km=self.mileage.text().strip() or "0",
            note=self.note.text(),
        )

    def save(self) -> None:
        data = self.value()
        self.submit(lambda r: add_hours(r, data), {"hours_entry"})


class CorrectHoursDialog(FormDialog):
    """Says what an entry should have been; a new entry of the difference is appended."""

    def __init__(
        self,
        context: AppContext,
        lines: list[HoursLine],
        entry_id: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(context, "Corriger une saisie d'heures", parent)
        self.totals = entry_totals(lines)
        intro = QLabel(
            "Les heures saisies ne sont jamais effacées : la correction s'ajoute comme une "
            "nouvelle ligne, avec sa raison."
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.entry = QComboBox()
        for total in self.totals:
            self.entry.addItem(total.text(), total.line.id)
        self.duration = DurationEdit(0)
        self.mileage = QLineEdit()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Erreur de saisie, durée réelle plus longue…")
        self.row("entry_id", "&Saisie à corriger", self.entry)
        self.row("minutes", "&Durée juste", self.duration)
        self.row("mileage_km", "&Kilomètres justes", self.mileage)
        self.row("note", "&Raison", self.reason)
        self.entry.currentIndexChanged.connect(self._entry_chosen)
        original = next(
            (line.corrects_entry_id or line.id for line in lines if line.id == entry_id), None
        )
        self.entry.setCurrentIndex(max(0, self.entry.findData(original)))
        self._entry_chosen()
        self.duration.setFocus()
        self.fit()

    def _entry_chosen(self, _index: int = 0) -> None:
        index = self.entry.currentIndex()
        if 0 <= index < len(self.totals):
            total = self.totals[index]
            self.duration.set_minutes(total.minutes)
            self.mileage.setText(f"{total.mileage_km:.1f}".replace(".", ","))

    def save(self) -> None:
        self.errors.clear()
        self.banner.show_message("")
        entry_id = self.entry.currentData()
        if not entry_id:
            self.banner.show_message("Aucune saisie à corriger.")
            return
        minutes, mileage, reason = (
            self.duration.minutes(),
            self.mileage.text().strip() or "0",
            self.reason.text(),
        )
        self.submit(
            lambda r: correct_hours(
                r, str(entry_id), minutes=minutes, mileage_km=mileage, reason=reason
            ),
            {"hours_entry", "mission"},
        )
