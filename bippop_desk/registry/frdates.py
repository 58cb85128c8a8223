"""Dates and times shown the French way (babel), and typed dates read back."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date, format_datetime, format_time

LOCALE = "fr_FR"


def long_date(day: dt.date) -> str:
    """ "mardi 24 novembre 2026"."""
    return str(format_date(day, format="full", locale=LOCALE))


def short_date(day: dt.date | None) -> str:
    """ "24/11/2026" ("" for no date)."""
    return str(format_date(day, format="short", locale=LOCALE)) if day else ""


def short_time(moment: dt.time | dt.datetime | None) -> str:
    """ "14:00" ("" for no time)."""
    if moment is None:
        return ""
    return str(format_time(moment, format="HH:mm", locale=LOCALE))


def short_datetime(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return str(format_datetime(moment, format="dd/MM/yyyy HH:mm", locale=LOCALE))


def weekday_name(weekday: int) -> str:
    """0 → "lundi"."""
    monday = dt.date(2024, 1, 1)  # a Monday
    return str(format_date(monday + dt.timedelta(days=weekday), format="EEEE", locale=LOCALE))


_FR_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def parse_date(text: str) -> dt.date:
    """Read "24/11/2026" or "2026-11-24"; raises ValueError with a French message."""
    match = _FR_DATE.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"« {text} » n'est pas une date (exemple : 24/11/2026).") from None


def age_on(birth_date: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
