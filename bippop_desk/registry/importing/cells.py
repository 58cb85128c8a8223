"""One cell read as what its column means: text, a date (a real date, an Excel serial
number, or text in the French ways), a phone in any format, yes/no, a "NOM Prénom".

Each reader returns the value or raises ValueError with the French reason, which the
plan writes next to the rejected row.
"""

from __future__ import annotations

import datetime as dt
import re

from bippop_desk.registry.importing.readers import Cell

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_WORDED_DATE = re.compile(r"^(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})$")
_YES = frozenset({"oui", "o", "x", "yes", "y", "1", "vrai", "true"})
_NO = frozenset({"non", "n", "no", "0", "faux", "false", "-"})


def text(cell: Cell) -> str:
    """The cell as text: whole numbers without ".0", dates the French way."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "oui" if cell else "non"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y")
    # Control characters (NUL, tabs pasted from other tools) never reach the registry.
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", str(cell)).split())


def date(cell: Cell, *, today: dt.date) -> dt.date | None:
    """A date from a date cell, an Excel serial number, or "12/03/1938", "12-03-38",
    "1938-03-12", "12 mars 1938". Two-digit years are the most recent past year."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 1 <= cell <= 100_000:  # a date the sheet did not format as one
            return _EXCEL_EPOCH + dt.timedelta(days=int(cell))
        raise ValueError(f"« {text(cell)} » n'est pas une date.")
    raw = text(cell)
    if not raw:
        return None
    lowered = raw.lower()
    from bippop_desk.registry.textkeys import fold

    try:
        match = _NUMERIC_DATE.match(raw)
        if match:
            day, month, year = (int(part) for part in match.groups())
            if len(match.group(3)) == 2:
                year += 2000 if 2000 + year <= today.year else 1900
            return dt.date(year, month, day)
        match = _ISO_DATE.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        match = _WORDED_DATE.match(fold(lowered))
        if match and match.group(2) in _MONTHS:
            return dt.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        raise ValueError(f"Date impossible : « {raw} ».") from None
    raise ValueError(f"« {raw} » n'est pas une date (exemple : 12/03/1938).")


# A birth date column holding a year alone ("1941", or the number 1941): the year, not
# an Excel serial number (1941 would be 24/04/1905, nobody's birth date on such a list).
_YEAR = re.compile(r"^(\d{4})$")
MIN_BIRTH_YEAR = 1880


def year_only(cell: Cell, *, today: dt.date) -> int | None:
    """The year when the cell gives a birth year and nothing more, else None."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, int):
        year = cell
    else:
        match = _YEAR.match(text(cell)) if isinstance(cell, str) else None
        if match is None:
            return None
        year = int(match.group(1))
    return year if MIN_BIRTH_YEAR <= year <= today.year else None


def phone(cell: Cell) -> str:
    """The raw phone text, fixed for what spreadsheets do to numbers: 612345678 (a
    number cell lost its leading 0) → "0612345678"; "33 6 12…" stays international."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        digits = str(int(cell))
        if len(digits) == 9 and digits[0] in "123456789":
            return "0" + digits
        if len(digits) == 11 and digits.startswith("33"):
            return "+" + digits
        return digits
    raw = text(cell)
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 9 and raw.lstrip()[:1].isdigit() and digits[0] in "123456789":
        return "0" + digits
    return raw


def yes_no(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    raw = text(cell).lower()
    if raw in _YES:
        return True
    if raw in _NO or not raw:
        return False
    raise ValueError(f"« {text(cell)} » : répondez oui ou non.")


def _is_upper_word(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return (len(letters) > 1 and all(ch.isupper() for ch in letters)) or (
        len(letters) == 1 and letters[0].isupper() and len(word) == 1
    )


def split_full_name(value: str, *, last_first: bool = True) -> tuple[str, str]:
    """ "DUPONT Jean" / "Jean DUPONT" / "LE GOFF Marie-Anne" → (first name, last name).

    The words in capitals are the last name, wherever they stand; when the case does
    not tell, the column's order does ("NOM Prénom": the first word is the last name).
    """
    words = value.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    upper = [_is_upper_word(word) for word in words]
    if any(upper) and not all(upper):
        # The capitals form one run at the start or at the end.
        if upper[0]:
            cut = upper.index(False)
            return " ".join(words[cut:]), " ".join(words[:cut])
        if upper[-1]:
            cut = len(upper) - upper[::-1].index(False)
            return " ".join(words[:cut]), " ".join(words[cut:])
    if last_first:
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]
