"""The web forms' field checks (bippop_central/web/checks.py) say yes and no where the
desk's services do (bippop_desk/registry/services/validation.py, phones.py): one set of
rules whether a person is typed at the desk or on the web."""

from __future__ import annotations

import datetime as dt

import pytest

from bippop_central.web import checks
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.phones import parse_phone
from bippop_desk.registry.services import validation

NAMES = ["Hélène", "D'Arc", "Jean-Pierre", "Le Goff", "Zoë 2", "R2D2", "", "   ", "a" * 80,
         "a" * 81, "Nul\x00", "Tab\there", "Ŀeïla", "O'Brien-Smith"]  # fmt: skip
PHONES = ["06 12 34 56 78", "+33 6 12 34 56 78", "0612345678", "03.44.12.34.56", "12",
          "06 12 34 56", "abc", "+44 20 7946 0958", "0800 123 456"]  # fmt: skip
POSTAL = ["60200", "6020", "602000", "6O200", "", "75 001"]


def desk_name(value: str) -> bool:
    return validation.person_name(value, "Le nom", required=True) is None


def web_name(value: str) -> bool:
    errors = checks.Errors()
    checks.name("beneficiary", "last_name", value, "le nom", errors)
    return not errors


@pytest.mark.parametrize("value", NAMES)
def test_a_name_is_taken_on_the_web_exactly_when_the_desk_takes_it(value: str) -> None:
    assert web_name(value) == desk_name(value), repr(value)


def desk_phone(value: str) -> str | None:
    try:
        return parse_phone(value) or None
    except ValidationError:
        return None


@pytest.mark.parametrize("value", PHONES)
def test_a_phone_is_stored_on_the_web_as_the_desk_stores_it(value: str) -> None:
    errors = checks.Errors()
    number = checks.phone(value, errors)
    assert (number or None) == desk_phone(value), value


@pytest.mark.parametrize("value", POSTAL)
def test_a_postal_code_is_taken_on_the_web_exactly_when_the_desk_takes_it(value: str) -> None:
    errors = checks.Errors()
    checks.postal_code(value, errors, required=False)
    assert (not errors) == (validation.postal_code(value) is None), value


@pytest.mark.parametrize("years", [-1, 0, 30, 119, 121])
def test_a_birth_date_is_taken_on_the_web_exactly_when_the_desk_takes_it(years: int) -> None:
    today = checks.today()
    day = today.replace(year=today.year - years) if years >= 0 else today + dt.timedelta(days=2)
    errors = checks.Errors()
    checks.date(day.strftime("%d/%m/%Y"), errors, "birth_date", label="la date", past=True)
    assert (not errors) == (validation.birth_date(day) is None), years


def test_control_characters_are_refused_in_every_one_line_field_as_at_the_desk() -> None:
    for value in ("Paul\x1b[31m", "tab\there", "nul\x00"):
        errors = checks.Errors()
        checks.email(f"{value}@example.fr", errors, required=True)
        checks.text("beneficiary", "city", value, errors)
        checks.name("beneficiary", "first_name", value, "le prénom", errors)
        assert errors == {"email": checks.INVISIBLE, "city": checks.INVISIBLE,
                          "first_name": checks.INVISIBLE}  # fmt: skip
        assert validation.text(value, 200) is not None


@pytest.mark.parametrize("text", ["Ligne 1\nLigne 2\tfin", "a" * 4000, "a" * 4001, "bip\x07"])
def test_notes_are_taken_on_the_web_exactly_when_the_desk_takes_them(text: str) -> None:
    errors = checks.Errors()
    checks.text("request", "notes", text, errors, multiline=True)
    assert (not errors) == (validation.notes(text) is None), repr(text[:20])
