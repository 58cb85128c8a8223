"""Reading a spreadsheet into a grid of cells: .xlsx / .xls / .ods with python-calamine
(~10x faster than openpyxl), .csv with `;` or `,` in UTF-8 or Windows-1252."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.sqlite_file import is_database_file

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_FILES = (".csv", ".txt")
MAX_BYTES = 50_000_000  # far above any commune's list; refuses a wrong file early


@dataclass(frozen=True)
class Grid:
    """The cells of the first sheet, row by row (rows may be of unequal length)."""

    rows: list[list[Cell]]
    sha256: str
    file_name: str
    encoding: str = ""  # CSV only: the encoding the text was read with
    delimiter: str = ""


def _error(message: str) -> ValidationError:
    return ValidationError.single("file", message)


def read_grid(path: Path) -> Grid:
    """The file as a grid; a French ValidationError for a missing, empty or unknown file."""
    if not path.is_file():
        raise _error(f"Le fichier « {path} » est introuvable.")
    if is_database_file(path):
        # Never read with open(): that would drop this process's SQLite locks on it.
        raise _error(
            f"« {path.name} » est une base de données (un registre ?), pas une liste à "
            "importer : choisissez un fichier .xlsx, .ods ou .csv."
        )
    data = path.read_bytes()
    if not data:
        raise _error(f"Le fichier « {path.name} » est vide.")
    if len(data) > MAX_BYTES:
        raise _error(f"Le fichier « {path.name} » est trop gros pour une liste de personnes.")
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        return Grid(_spreadsheet_rows(data, path.name), digest, path.name)
    if suffix in TEXT_FILES:
        text, encoding = decode_text(data)
        rows, delimiter = csv_rows(text)
        return Grid(rows, digest, path.name, encoding, delimiter)
    raise _error(
        f"« {path.name} » : seuls les fichiers .xlsx, .ods, .xls et .csv peuvent être importés."
    )


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-16 when it starts with its byte-order mark (Excel's "Texte Unicode"), UTF-8
    (with or without BOM) when the bytes are valid UTF-8, else Windows-1252 (what Excel
    for Windows writes as "CSV (séparateur : point-virgule)")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def csv_rows(text: str) -> tuple[list[list[Cell]], str]:
    """Rows of a CSV text; the delimiter is the one of `;`, `,` or tab that splits the
    first lines most consistently."""
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", -1
    for candidate in (";", ",", "\t"):
        counts = [len(row) for row in csv.reader(sample, delimiter=candidate)]
        if not counts:
            continue
        widest = max(counts)
        score = sum(1 for count in counts if count == widest) * (widest > 1) * widest
        if score > best_score:
            best, best_score = candidate, score
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best)
    return [list(row) for row in reader], best


def _spreadsheet_rows(data: bytes, name: str) -> list[list[Cell]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows: list[list[Cell]] = [list(row) for row in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges or []
    except (CalamineError, ValueError, OSError) as error:
        raise _error(f"« {name} » n'a pas pu être lu comme un tableur ({error}).") from None
    except Exception as error:  # python-calamine raises its own errors for broken files
        raise _error(f"« {name} » n'a pas pu être lu comme un tableur ({error}).") from None
    _fill_merged(rows, merged)
    return rows


Merged = list[tuple[tuple[int, int], tuple[int, int]]]


def _fill_merged(rows: list[list[Cell]], merged: Merged) -> None:
    """A merged range shows its value in every cell it covers, as people read it: a
    "Téléphone" header over two columns, a quartier merged down several rows."""
    for (top, left), (bottom, right) in merged:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(left, right + 1):
                while len(row) <= c:
                    row.append("")
                if row[c] in ("", None):
                    row[c] = value
