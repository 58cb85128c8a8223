"""One field's checks, for the web forms: the platform's schema (fields.py, the same
checks every pushed record meets) plus the desk's rules for people (names without
digits, a birth date neither future nor past 120 years, a 5-digit postal code, phones
to E.164, notes up to 4,000 characters), each failure a French message for the field.

tests/central/test_web_checks.py checks that these say yes and no where the desk's
services (bippop_desk/registry/services/validation.py) do.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bippop_central.fields import SCHEMA, Invalid, check_record
from bippop_central.public import _email, _phone

PARIS = ZoneInfo("Europe/Paris")
MAX_NOTES = 4000  # the desk's notes (validation.MAX_NOTES)
_DIGIT = re.compile(r"\d")
# The desk's control characters (validation._CONTROL): one-line fields refuse them all,
# tab included; notes keep tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
INVISIBLE = "Ce champ contient un caractère invisible (caractère de contrôle) : retirez-le."
_POSTAL = re.compile(r"^\d{5}$")
_FR_DATE = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def today() -> dt.date:
    return dt.datetime.now(PARIS).date()


class Errors(dict[str, str]):
    """field → French message; the first message of a field wins."""

    def add(self, name: str, message: str | None) -> None:
        if message and name not in self:
            self[name] = message


def schema(entity: str, name: str, value: object, errors: Errors, field: str = "") -> None:
    """The platform's own check of one value (fields.py), worded for the form."""
    try:
        check_record(entity, {name: value}, {})
    except Invalid as error:
        text = str(error).replace(f"Le champ « {name} » ", "Ce champ ")
        text = text.replace(" : modification refusée.", ".")
        errors.add(field or name, text)


def clean(value: str) -> str:
    return " ".join(value.split())


def name(entity: str, field: str, value: str, label: str, errors: Errors,
         *, required: bool = True) -> str:  # fmt: skip
    if _CONTROL.search(value):
        errors.add(field, INVISIBLE)
        return ""
    text = clean(value)
    limit = SCHEMA[entity][field].limit
    if not text:
        if required:
            errors.add(field, f"Indiquez {label}.")
        return ""
    if len(text) > limit:
        errors.add(field, f"Ce texte est trop long ({limit} caractères au plus).")
    elif _DIGIT.search(text):
        errors.add(field, "Un nom ne contient pas de chiffres.")
    schema(entity, field, text, errors)
    return text


def text(entity: str, field: str, value: str, errors: Errors, *, label: str = "",
         required: bool = False, multiline: bool = False, form_field: str = "") -> str:  # fmt: skip
    key = form_field or field
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        errors.add(key, INVISIBLE)
        return ""
    out = value.strip().replace("\r\n", "\n") if multiline else clean(value)
    if not out and required:
        errors.add(key, f"Indiquez {label}.")
    limit = MAX_NOTES if multiline else SCHEMA[entity][field].limit
    if len(out) > limit:
        errors.add(key, f"Ce texte est trop long ({limit} caractères au plus).")
    schema(entity, field, out, errors, key)
    return out


def phone(value: str, errors: Errors, field: str = "phone", *, required: bool = True,
          label: str = "un numéro de téléphone") -> str:  # fmt: skip
    if not value.strip():
        if required:
            errors.add(field, f"Indiquez {label} (exemple : 06 12 34 56 78).")
        return ""
    found: dict[str, str] = {}
    number = _phone(value[:40], found)
    if found:
        errors.add(field, found["phone"] + " Exemple : 06 12 34 56 78.")
    return number


def email(value: str, errors: Errors, *, required: bool) -> str:
    if _CONTROL.search(value):
        errors.add("email", INVISIBLE)
        return ""
    if not value.strip():
        if required:
            errors.add("email", "Indiquez une adresse e-mail (exemple : prenom.nom@exemple.fr).")
        return ""
    found: dict[str, str] = {}
    address = _email(value[:200], found, required=required)
    errors.add("email", found.get("email"))
    return address


def postal_code(value: str, errors: Errors, *, required: bool) -> str:
    code = value.strip()
    if not code:
        if required:
            errors.add("postal_code", "Indiquez le code postal (5 chiffres).")
        return ""
    if not _POSTAL.match(code):
        errors.add("postal_code", "Le code postal compte 5 chiffres (exemple : 60200).")
    return code


def date(value: str, errors: Errors, field: str, *, label: str, required: bool = False,
         past: bool = False, future: bool = False) -> dt.date | None:  # fmt: skip
    """A date typed JJ/MM/AAAA (or AAAA-MM-JJ). `past`: a birth date (not in the future,
    not over 120 years ago); `future`: today or later."""
    typed = value.strip()
    if not typed:
        if required:
            errors.add(field, f"Indiquez {label} (exemple : 05/04/1961).")
        return None
    parsed: dt.date | None = None
    match, iso = _FR_DATE.match(typed), _ISO_DATE.match(typed)
    try:
        if match:
            parsed = dt.date(int(match[3]), int(match[2]), int(match[1]))
        elif iso:
            parsed = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        parsed = None
    if parsed is None:
        errors.add(field, f"« {typed[:20]} » n'est pas une date : écrivez-la JJ/MM/AAAA "
                          "(exemple : 05/04/1961).")  # fmt: skip
        return None
    now = today()
    if past and parsed > now:
        errors.add(field, "La date de naissance est dans le futur.")
    elif past and parsed < now.replace(year=now.year - 120):
        errors.add(field, "La date de naissance donne plus de 120 ans : vérifiez l'année.")
    elif future and parsed < now:
        errors.add(field, "Cette date est passée : choisissez aujourd'hui ou plus tard.")
    return parsed
