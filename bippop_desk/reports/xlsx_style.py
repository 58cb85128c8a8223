"""Cell styles and formats of the exported workbooks (French display, write-only cells).

Number formats are stored in the file in Excel's neutral syntax; a French spreadsheet
shows them with a decimal comma and a space between thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

FMT_HOURS = "#,##0.00"
FMT_COUNT = "#,##0"
FMT_KM = "#,##0.0"
FMT_EUROS = '#,##0.00\\ "€"'
FMT_DATE = "DD/MM/YYYY"
FMT_DATETIME = "DD/MM/YYYY HH:MM"

TITLE_FONT = Font(bold=True, size=14, color="1F2A44")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F2A44")
TOTAL_FONT = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="DCE3F0")
TOTAL_BORDER = Border(top=Side(style="thin", color="1F2A44"))
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
MUTED_FONT = Font(italic=True, color="5A6275")

Style = Callable[[Any], None]


def styled(sheet: Any, value: Any, style: Style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    style(cell)
    return cell


def number(fmt: str) -> Style:
    def apply(cell: Any) -> None:
        cell.number_format = fmt

    return apply


def header(cell: Any) -> None:
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = HEADER_ALIGN


def title(cell: Any) -> None:
    cell.font = TITLE_FONT


def muted(cell: Any) -> None:
    cell.font = MUTED_FONT


def wrap(cell: Any) -> None:
    cell.alignment = WRAP


def total(fmt: str | None = None) -> Style:
    def apply(cell: Any) -> None:
        cell.font = TOTAL_FONT
        cell.fill = TOTAL_FILL
        cell.border = TOTAL_BORDER
        if fmt:
            cell.number_format = fmt

    return apply


def set_widths(sheet: Any, widths: dict[str, float]) -> None:
    """Column widths (in characters); must come before the sheet's first row."""
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width


class ReusedCell:
    """One styled write-only cell reused for every row of a column.

    A write-only sheet writes a row as soon as it is appended, so the same cell object
    can carry the next row's value: no new cell (and style lookup) per value.
    """

    def __init__(self, sheet: Any, style: Style) -> None:
        self.cell = WriteOnlyCell(sheet)
        style(self.cell)

    def __call__(self, value: Any) -> WriteOnlyCell:
        self.cell.value = value
        return self.cell


def printable(sheet: Any, *, landscape: bool = True, title_rows: str | None = None) -> None:
    """Printed on A4, as wide as the page, the header row repeated on every page."""
    sheet.page_setup.paperSize = "9"  # A4 in the OOXML paper-size table
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows
