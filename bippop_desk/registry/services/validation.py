"""Checks shared by the services; each returns a French message or None."""

from __future__ import annotations

import datetime as dt
import re

from bippop_desk.registry.clock import local_today

_DIGIT = re.compile(r"\d")
_POSTAL = re.compile(r"^\d{5}$")

MAX_NAME = 80
MAX_NOTES = 4000


def person_name(value: str, label: str, *, required: bool) -> str | None:
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
    if len(value) > MAX_NOTES:
        return f"{label} sont trop longues ({MAX_NOTES} caractères au plus)."
    return None
