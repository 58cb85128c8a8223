"""Phone numbers: parsed to E.164 for storage, shown in the French way, searchable by digits.

`phonenumbers` is imported on first use: its metadata takes a while to load, and the
lists at start-up only need French numbers shown, which a pattern does exactly.
"""

from __future__ import annotations

import re

from bippop_desk.registry.errors import ValidationError

DEFAULT_REGION = "FR"
_PHONE_QUERY = re.compile(r"^[\d\s.+()\-/]+$")
# Metropolitan and mobile French numbers: "+33612345678" → "06 12 34 56 78".
_FRENCH_E164 = re.compile(r"^\+33([1-79])(\d\d)(\d\d)(\d\d)(\d\d)$")


def parse_phone(text: str, field: str = "phone") -> str:
    """Return the E.164 form of `text` ("" when empty) or raise a French ValidationError."""
    import phonenumbers

    raw = (text or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError.single(
            field, f"« {raw} » n'est pas un numéro de téléphone (exemple : 06 12 34 56 78)."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError.single(
            field, f"Le numéro « {raw} » n'existe pas : vérifiez le nombre de chiffres."
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def format_phone(e164: str) -> str:
    """French display: "06 12 34 56 78" for French numbers, international otherwise."""
    if not e164:
        return ""
    french = _FRENCH_E164.match(e164)
    if french:
        return "0" + " ".join(french.groups())
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def phone_search_tokens(*numbers: str) -> str:
    """Digit strings under which a number can be found, whatever way it is typed:
    national "0612345678", international "33612345678" and bare "612345678"."""
    import phonenumbers

    tokens: list[str] = []
    for e164 in numbers:
        if not e164:
            continue
        digits = e164.lstrip("+")
        tokens.append(digits)
        try:
            number = phonenumbers.parse(e164, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        national = str(number.national_number)
        tokens.append(national)
        if number.country_code == 33:
            tokens.append("0" + national)
    return " ".join(dict.fromkeys(tokens))


def phone_query_digits(query: str) -> str | None:
    """The digits to look for when `query` looks like (part of) a phone number."""
    text = query.strip()
    if not text or not _PHONE_QUERY.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < 2:
        return None
    if text.startswith("+") or text.startswith("00"):
        return digits[2:] if text.startswith("00") else digits
    return digits
