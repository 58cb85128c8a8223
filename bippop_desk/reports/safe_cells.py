"""Text cells that a spreadsheet can never run as formulas.

openpyxl turns any string starting with "=" into a formula, and a spreadsheet user who
edits a cell starting with "+", "-" or "@" gets one too. Exported text that starts with
one of those (or with a tab or carriage return, used to smuggle them past filters) is
written as a typed text cell with Excel's "quote prefix" (the cell shows the text as
typed, and stays text when edited). Control characters XML cannot hold are dropped,
and text is cut to Excel's 32,767-character cell limit.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Full-width look-alikes some spreadsheets normalise before parsing.
LOOKALIKE_PREFIXES = ("＝", "＋", "－", "＠")
EXCEL_CELL_LIMIT = 32_767


def clean_text(text: str) -> str:
    """`text` without characters XML refuses, within Excel's cell limit."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet (or openpyxl) read this text as a formula?"""
    return text.startswith(FORMULA_PREFIXES) or text.startswith(LOOKALIKE_PREFIXES)


def text_cell(sheet: Any, text: str, style: Any = None) -> Any:
    """A value to append to a write-only sheet that is sure to be stored as text:
    the string itself when harmless, else a text-typed cell with a quote prefix."""
    text = clean_text(text)
    if not is_formula_like(text):
        if style is None:
            return text
        cell = WriteOnlyCell(sheet, value=text)
        style(cell)
        return cell
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl made it a formula ("f") because of the "="
    cell.quotePrefix = True
    if style is not None:
        style(cell)
    return cell
