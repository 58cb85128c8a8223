"""Checks shared by the services; each returns a French message or None.

`text_fields` is the one check of free text every service's input check runs: control
characters (NUL, escape codes…) are refused, and every text field has a length limit,
taken from its column in the schema (Text columns: MAX_NOTES) or MAX_TEXT.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String, Text

from bippop_desk.registry.clock import local_today

_DIGIT = re.compile(r"\d")
_POSTAL = re.compile(r"^\d{5}$")

MAX_NAME = 80
MAX_NOTES = 4000
MAX_TEXT = 200
MAX_MILEAGE_KM = Decimal("2000")
# C0/C1 controls and the Unicode line/paragraph separators. Notes keep \t, \n and \r.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def text(value: str, max_length: int, *, multiline: bool = False) -> str | None:
    """A French message when free text holds a control character or is too long."""
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        return "Ce champ contient un caractère invisible (caractère de contrôle) : retirez-le."
    if len(value.strip()) > max_length:
        return f"Ce texte est trop long ({max_length} caractères au plus)."
    return None


def text_fields(
    data: Any, model: type | None = None, *, multiline: Iterable[str] = ()
) -> dict[str, str]:
    """Check every text field of an input dataclass: {field: French message}.

    Limits: the length of the model's String column of the same name; a Text column
    (or a field named in `multiline`) is multi-line, up to MAX_NOTES; other fields
    MAX_TEXT.
    """
    columns = getattr(getattr(model, "__table__", None), "columns", None)
    lines = set(multiline)
    errors: dict[str, str] = {}
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if not isinstance(value, str):
            continue
        column = columns.get(field.name) if columns is not None else None
        kind = column.type if column is not None else None
        is_text = isinstance(kind, Text) or field.name in lines
        if is_text:
            limit = MAX_NOTES
        elif field.name.endswith("phone"):
            limit = MAX_TEXT  # typed with spaces and dots; parsed to E.164 afterwards
        elif isinstance(kind, String) and kind.length:
            limit = kind.length
        else:
            limit = MAX_TEXT
        message = text(value, limit, multiline=is_text)
        if message:
            errors[field.name] = message
    return errors


def person_name(value: str, label: str, *, required: bool) -> str | None:
    if _CONTROL.search(value):
        return f"{label} contient un caractère invisible (caractère de contrôle)."
    text = value.strip()
    if not text:
        return f"{label} est obligatoire." if required else None
    if len(text) > MAX_NAME:
        return f"{label} est trop long ({MAX_NAME} caractères au plus)."
    if _DIGIT.search(text):
        return f"{label} ne peut pas contenir de chiffres."
    return None


def birth_date(value: dt.date | None) -> str | None:
    if value is None:
        return None
    today = local_today()
    if value > today:
        return "La date de naissance est dans le futur."
    if value < today.replace(year=today.year - 120):
        return "La date de naissance donne plus de 120 ans : vérifiez l'année."
    return None


def postal_code(value: str) -> str | None:
    text = value.strip()
    if text and not _POSTAL.match(text):
        return "Le code postal compte 5 chiffres."
    return None


def notes(value: str, label: str = "Les notes") -> str | None:
    if _CONTROL_MULTILINE.search(value):
        return f"{label} contiennent un caractère invisible (caractère de contrôle)."
    if len(value) > MAX_NOTES:
        return f"{label} sont trop longues ({MAX_NOTES} caractères au plus)."
    return None


def mileage(value: Decimal | str | None) -> tuple[Decimal, str | None]:
    """Kilometres as typed ("12,5", "12.5", 12) to the tenth, and a French message when
    they are not a finite number from 0 to MAX_MILEAGE_KM ("NaN", "inf", "1e999" and
    words are refused, never compared). (Decimal(0), message) on a refusal."""
    text = str(value or 0).strip().replace(",", ".")
    number: Decimal | None = None
    if len(text) <= 20:
        try:
            number = Decimal(text)
            number = number.quantize(Decimal("0.1")) if number.is_finite() else None
        except InvalidOperation:
            number = None
    if number is None:
        return Decimal(0), "Le kilométrage est un nombre (exemple : 12,5)."
    if not Decimal(0) <= number <= MAX_MILEAGE_KM:
        return Decimal(0), "Le kilométrage va de 0 à 2 000 km."
    return number, None
