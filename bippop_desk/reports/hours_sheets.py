"""The four figure sheets of the hours workbook, written row by row (write-only).

Each sheet's layout is fixed by the figures, so `Layout` knows up front where every
total lands and formulas can point across sheets.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from openpyxl.utils import get_column_letter as col
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from bippop_desk.registry.frdates import LOCALE, short_date
from bippop_desk.registry.services.hours_report import DetailLine, HoursFigures, MonthFigures
from bippop_desk.registry.services.settings import HourlyRates
from bippop_desk.reports import xlsx_style as xs
from bippop_desk.reports.safe_cells import text_cell

TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)


def pseudonym(key: bytes, volunteer_id: str) -> str:
    """A stable code for a volunteer ("BV-7K3Q9X2M"): the same in every export of this
    installation, and not traceable to the person without the local key."""
    digest = hmac.new(key, volunteer_id.encode(), hashlib.sha256).digest()
    return "BV-" + base64.b32encode(digest).decode()[:8]


class Names:
    """How volunteers appear: by name, or by pseudonymous code when `key` is given."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self._cache: dict[str, str] = {}

    @property
    def pseudonymised(self) -> bool:
        return self.key is not None

    def code(self, volunteer_id: str) -> str:
        assert self.key is not None
        code = self._cache.get(volunteer_id)
        if code is None:
            code = self._cache[volunteer_id] = pseudonym(self.key, volunteer_id)
        return code

    def full(self, volunteer_id: str, first: str, last: str) -> str:
        if self.key is not None:
            return self.code(volunteer_id)
        name = self._cache.get(volunteer_id)
        if name is None:
            name = self._cache[volunteer_id] = f"{last} {first}".strip()
        return name


@dataclass(frozen=True)
class Layout:
    """Where the totals of each sheet are, for the formulas that refer to them."""

    figures: HoursFigures
    pseudonymised: bool

    # Synthèse
    @property
    def hours_first(self) -> int:
        return 5

    @property
    def hours_total_row(self) -> int:
        return self.hours_first + len(self.figures.categories)

    @property
    def counts_row(self) -> int:
        return self.hours_total_row + 3

    @property
    def total_col(self) -> str:
        return col(len(self.figures.months) + 2)

    # Par bénévole
    @property
    def volunteer_columns(self) -> list[str]:
        who = ["Code bénévole"] if self.pseudonymised else ["Nom", "Prénom"]
        return [*who, "Heures", "Interventions", "Kilomètres"]

    @property
    def volunteers_total_row(self) -> int:
        return len(self.figures.per_volunteer) + 2

    # Valorisation
    @property
    def value_first(self) -> int:
        return 5

    @property
    def value_total_row(self) -> int:
        return self.value_first + len(self.figures.categories)


def add_table(sheet: Any, name: str, columns: list[str], rows: int) -> None:
    """An Excel table (filters, stripes) over the header and `rows` lines below it.
    Write-only sheets cannot read their headers back: the columns are named here."""
    table = Table(
        displayName=name, ref=f"A1:{col(len(columns))}{rows + 1}", tableStyleInfo=TABLE_STYLE
    )
    table.tableColumns = [TableColumn(id=i, name=n) for i, n in enumerate(columns, 1)]
    with warnings.catch_warnings():
        # openpyxl warns in write-only mode whether or not the columns were named.
        warnings.filterwarnings("ignore", "In write-only mode", UserWarning)
        sheet.add_table(table)


def _sum(column: str, first: int, last: int, sheet: str = "") -> str:
    if last < first:
        return "=0"
    return f"=SUM({sheet}{column}{first}:{column}{last})"


def month_label(month: dt.date) -> str:
    return str(format_date(month, "MMM y", locale=LOCALE))


def headers(sheet: Any, names: Iterable[str]) -> list[Any]:
    return [text_cell(sheet, name, xs.header) for name in names]


def synthesis(sheet: Any, layout: Layout, commune: str) -> None:
    figures = layout.figures
    months = figures.months
    last_month = col(len(months) + 1)
    widths = {col(i): 11.0 for i in range(2, len(months) + 3)}
    xs.set_widths(sheet, {"A": 46, **widths})
    sheet.freeze_panes = "B5"
    xs.printable(sheet)
    period = figures.period
    sheet.append([text_cell(sheet, f"Heures de bénévolat — {commune}", xs.title)])
    sheet.append(
        [
            text_cell(
                sheet,
                f"Période : {period.title} (du {short_date(period.start)} au "
                f"{short_date(period.end)}). Heures décimales : 1,50 = 1 h 30.",
                xs.muted,
            )
        ]
    )
    sheet.append([])
    sheet.append(headers(sheet, ["Type de mission", *map(month_label, months), "Total"]))
    hours = xs.number(xs.FMT_HOURS)
    for row, category in enumerate(figures.categories, start=layout.hours_first):
        values = [
            xs.styled(sheet, figures.minutes_by.get((m, category.key), 0) / 60, hours)
            for m in months
        ]
        total = xs.styled(sheet, f"=SUM(B{row}:{last_month}{row})", xs.total(xs.FMT_HOURS))
        sheet.append([text_cell(sheet, category.label), *values, total])
    last_row = layout.hours_total_row - 1
    sums = [
        xs.styled(sheet, _sum(col(i), layout.hours_first, last_row), xs.total(xs.FMT_HOURS))
        for i in range(2, len(months) + 3)
    ]
    sheet.append([xs.styled(sheet, "Total des heures", xs.total()), *sums])
    sheet.append([])
    sheet.append(headers(sheet, ["Indicateur", *map(month_label, months), "Période"]))

    def per_month(pick: Callable[[MonthFigures], int]) -> list[Any]:
        count = xs.number(xs.FMT_COUNT)
        by_month = figures.by_month
        return [xs.styled(sheet, pick(by_month[m]) if m in by_month else 0, count) for m in months]

    counts = layout.counts_row
    period_total = xs.total(xs.FMT_COUNT)
    missions_sum = f"=SUM(B{counts}:{last_month}{counts})"
    sheet.append(
        [
            "Interventions",
            *per_month(lambda f: f.missions),
            xs.styled(sheet, missions_sum, period_total),
        ]
    )
    sheet.append(
        [
            "Bénéficiaires aidés (personnes distinctes)",
            *per_month(lambda f: f.beneficiaries),
            xs.styled(sheet, figures.beneficiaries, period_total),
        ]
    )
    sheet.append(
        [
            "Bénévoles actifs (personnes distinctes)",
            *per_month(lambda f: f.volunteers),
            xs.styled(sheet, figures.volunteers, period_total),
        ]
    )
    sheet.append(
        [
            text_cell(
                sheet,
                "Une personne aidée (ou un bénévole actif) plusieurs mois compte une seule fois "
                "sur la période : la colonne « Période » n'est pas la somme des mois.",
                xs.muted,
            )
        ]
    )
    sheet.append([])
    sheet.append(headers(sheet, ["Chiffres clés de la période", "Valeur"]))
    km = col(len(layout.volunteer_columns))
    km_total = f"='Par bénévole'!{km}{layout.volunteers_total_row}"
    key_figures = (
        ("Heures de bénévolat", f"={layout.total_col}{layout.hours_total_row}", xs.FMT_HOURS),
        ("Interventions", f"={layout.total_col}{counts}", xs.FMT_COUNT),
        ("Bénéficiaires aidés", f"={layout.total_col}{counts + 1}", xs.FMT_COUNT),
        ("Bénévoles actifs", f"={layout.total_col}{counts + 2}", xs.FMT_COUNT),
        ("Kilomètres parcourus", km_total, xs.FMT_KM),
        ("Valorisation", f"=Valorisation!D{layout.value_total_row}", xs.FMT_EUROS),
    )
    for label, formula, fmt in key_figures:
        sheet.append([label, xs.styled(sheet, formula, xs.total(fmt))])


def per_volunteer(sheet: Any, layout: Layout, names: Names) -> None:
    columns = layout.volunteer_columns
    who = len(columns) - 3
    widths = {"A": 16.0} if who == 1 else {"A": 26.0, "B": 20.0}
    xs.set_widths(sheet, {**widths, col(who + 1): 11, col(who + 2): 14, col(who + 3): 12})
    sheet.freeze_panes = "A2"
    xs.printable(sheet, landscape=False, title_rows="1:1")
    sheet.append(headers(sheet, columns))
    hours = xs.ReusedCell(sheet, xs.number(xs.FMT_HOURS))
    count = xs.ReusedCell(sheet, xs.number(xs.FMT_COUNT))
    km = xs.ReusedCell(sheet, xs.number(xs.FMT_KM))
    people = layout.figures.per_volunteer
    if names.pseudonymised:
        # In code order: the alphabetical order of the names would say too much.
        people = sorted(people, key=lambda v: names.code(v.volunteer_id))
    for v in people:
        if names.pseudonymised:
            person = [text_cell(sheet, names.code(v.volunteer_id))]
        else:
            person = [text_cell(sheet, v.last_name), text_cell(sheet, v.first_name)]
        sheet.append([*person, hours(v.minutes / 60), count(v.missions), km(v.mileage_tenths / 10)])
    last = layout.volunteers_total_row - 1
    fmts = (xs.FMT_HOURS, xs.FMT_COUNT, xs.FMT_KM)
    totals = [
        xs.styled(sheet, _sum(col(who + i), 2, last), xs.total(fmt))
        for i, fmt in enumerate(fmts, 1)
    ]
    label = [xs.styled(sheet, "Total", xs.total())] + [
        xs.styled(sheet, None, xs.total()) for _ in range(who - 1)
    ]
    sheet.append([*label, *totals])
    if layout.figures.per_volunteer:
        add_table(sheet, "ParBenevole", columns, len(layout.figures.per_volunteer))


DETAIL_COLUMNS = ("Date", "Nature", "Type de mission", "Bénévole", "Durée (h)", "Kilomètres")


def detail(sheet: Any, lines: Iterable[DetailLine], names: Names) -> int:
    """Stream the detail lines; returns how many were written."""
    xs.set_widths(sheet, {"A": 12, "B": 14, "C": 36, "D": 30, "E": 11, "F": 12})
    sheet.freeze_panes = "A2"
    xs.printable(sheet, title_rows="1:1")
    sheet.append(headers(sheet, DETAIL_COLUMNS))
    # One styled cell per number column, carrying each row's value in turn (the row is
    # written as soon as it is appended), and each text made safe once: the labels and
    # names repeat on every line. ~120,000 lines a year for a large city: the loop stays
    # plain (no call per cell of ours).
    date = xs.ReusedCell(sheet, xs.number(xs.FMT_DATE)).cell
    hours = xs.ReusedCell(sheet, xs.number(xs.FMT_HOURS)).cell
    km = xs.ReusedCell(sheet, xs.number(xs.FMT_KM)).cell
    labels: dict[str, Any] = {}
    people: dict[str, Any] = {}
    append = sheet.append
    written = 0
    for day, kind, category, volunteer_id, first, last, minutes, tenths in lines:
        kind_cell = labels.get(kind)
        if kind_cell is None:
            kind_cell = labels[kind] = text_cell(sheet, kind)
        category_cell = labels.get(category)
        if category_cell is None:
            category_cell = labels[category] = text_cell(sheet, category)
        who = people.get(volunteer_id)
        if who is None:
            who = people[volunteer_id] = text_cell(sheet, names.full(volunteer_id, first, last))
        date.value = day
        hours.value = minutes / 60
        km.value = tenths / 10
        append([date, kind_cell, category_cell, who, hours, km])
        written += 1
    if written:
        add_table(sheet, "Detail", list(DETAIL_COLUMNS), written)
    else:
        sheet.append([text_cell(sheet, "Aucune saisie d'heures sur la période.", xs.muted)])
    return written


def valuation(sheet: Any, layout: Layout, rates: HourlyRates) -> None:
    figures = layout.figures
    xs.set_widths(sheet, {"A": 46, "B": 12, "C": 18, "D": 16})
    sheet.freeze_panes = "A5"
    xs.printable(sheet, landscape=False)
    sheet.append([text_cell(sheet, "Valorisation du bénévolat", xs.title)])
    sheet.append([text_cell(sheet, f"Taux horaire : {rates.source}.", xs.muted)])
    sheet.append([])
    sheet.append(headers(sheet, ["Type de mission", "Heures", "Taux horaire (€/h)", "Valeur (€)"]))
    synthesis_total = layout.total_col
    for row, category in enumerate(figures.categories, start=layout.value_first):
        source_row = layout.hours_first + (row - layout.value_first)
        sheet.append(
            [
                text_cell(sheet, category.label),
                xs.styled(
                    sheet, f"='Synthèse'!{synthesis_total}{source_row}", xs.number(xs.FMT_HOURS)
                ),
                xs.styled(sheet, float(rates.rate(category.key)), xs.number(xs.FMT_EUROS)),
                xs.styled(sheet, f"=ROUND(B{row}*C{row},2)", xs.number(xs.FMT_EUROS)),
            ]
        )
    last = layout.value_total_row - 1
    sheet.append(
        [
            xs.styled(sheet, "Total", xs.total()),
            xs.styled(sheet, _sum("B", layout.value_first, last), xs.total(xs.FMT_HOURS)),
            xs.styled(sheet, None, xs.total()),
            xs.styled(sheet, _sum("D", layout.value_first, last), xs.total(xs.FMT_EUROS)),
        ]
    )
