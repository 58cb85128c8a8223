"""French public holidays (the `holidays` package), with the départements whose
calendar differs: Alsace-Moselle and the overseas départements."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

# The `holidays` package calls Bas-Rhin and Haut-Rhin together "6AE"; Moselle and the
# overseas départements keep their own number.
_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}


def holiday_subdivision(departement: str) -> str | None:
    """The `holidays` subdivision of a département, None for the national calendar."""
    return _SUBDIVISIONS.get(departement.strip().upper())


@lru_cache(maxsize=64)
def french_holidays(year: int, subdivision: str | None = None) -> dict[dt.date, str]:
    """The year's public holidays, named in French ("Noël", "Armistice")."""
    calendar = holidays.country_holidays("FR", subdiv=subdivision, years=year, language="fr")
    return {day: str(name) for day, name in calendar.items()}


def holiday_name(day: dt.date, departement: str = "") -> str | None:
    """The French name of the public holiday on `day`, or None."""
    return french_holidays(day.year, holiday_subdivision(departement)).get(day)
