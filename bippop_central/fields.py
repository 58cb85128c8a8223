"""What each synced entity's fields may hold: one schema per entity, the desk's column
types (bippop_desk/registry/models, copied: the server imports nothing from the desk;
tests/central/test_fields.py checks they stay equal), used by push and the public forms.

A value the desks' SQLite or PostgreSQL could not store is refused here, before any
write, with a French reason: NaN and infinities, integers past 64 bits, lone surrogates,
NUL and other control characters, a string where a number is due, a null in a column
that holds none, dates that are not dates, texts longer than their column, and records
larger than MAX_RECORD_BYTES. A field no schema names (a newer desk's column) passes
the same value checks, so a desk one version ahead still syncs; desks ignore it.

`check_record` is the one entry point; it runs on every pushed item, so it is written
for speed: one compiled pattern per string, no parse for the usual date shapes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_LONG_TEXT = 20_000  # characters of a Text column (the desk's notes keep 4,000)
MAX_RECORD_BYTES = 128 * 1024  # fields + extra of one record, as UTF-8 JSON (about)
MAX_PAGE_BYTES = 4 * 1024 * 1024  # one pull page (at least one record, whatever its size)
MAX_DEPTH = 4  # nesting of a value in `extra` (or of an unknown field)
MAX_ITEMS = 1_000  # elements of a list or keys of an object in `extra`
INT64 = (-(2**63), 2**63 - 1)

# NUL and the other C0 controls but tab, line feed and carriage return, DEL, and the
# halves of surrogate pairs: JSON can spell "\ud800" but no UTF-8 database stores it.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$"
)
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")

# entity -> "column:kind" (kind: strN, text, int, bool, date, datetime, time, decimalP.S;
# "?" = the column may be null). Never listed: id and commune_id (the token's commune).
SCHEMA_TEXT: dict[str, str] = {
    "partner": (
        "name:str160 kind:str60 contact_name:str160 phone:str20 email:str200 notes:text "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "mission_type": (
        "code:str40 label:str120 family:str30 default_duration_min:int needs_car:bool "
        "active:bool sort_order:int created_at:datetime updated_at:datetime row_version:int "
        "deleted_at:datetime?"
    ),
    "beneficiary": (
        "civility:str10 first_name:str80 last_name:str80 birth_name:str80 birth_date:date? "
        "address_line:str200 address_complement:str200 postal_code:str5 city:str120 "
        "quartier:str80 access_notes:text phone:str20 phone_secondary:str20 email:str200 "
        "has_internet:bool emergency_contact_name:str160 emergency_contact_phone:str20 "
        "home_care_service:str160 status:str20 preferences:text consent_date:date? "
        "consent_channel:str20 consent_by:str20 consent_third_party:str160 notes:text "
        "last_contact_at:datetime? created_at:datetime updated_at:datetime row_version:int "
        "deleted_at:datetime?"
    ),
    "volunteer": (
        "civility:str10 first_name:str80 last_name:str80 birth_date:date? address_line:str200 "
        "postal_code:str5 city:str120 quartier:str80 phone:str20 email:str200 has_car:bool "
        "partner_id:str36? max_missions_per_week:int status:str20 status_changed_at:datetime? "
        "validated_by:str120 validated_at:datetime? charter_signed_on:date? "
        "interview_on:date? training_on:date? left_reason:text origin:str20 notes:text "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "volunteer_availability": (
        "volunteer_id:str36 weekday:int start_time:time end_time:time created_at:datetime "
        "updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "volunteer_absence": (
        "volunteer_id:str36 start_date:date end_date:date reason:str200 created_at:datetime "
        "updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "request": (
        "beneficiary_id:str36 mission_type_id:str36 channel:str20 caller_name:str160 "
        "received_at:datetime received_by:str120 wished_date:date? wished_date_end:date? "
        "wished_time_from:time? wished_time_to:time? urgency:str10 notes:text status:str20 "
        "status_changed_at:datetime? matched_at:datetime? cancel_reason:text recurrence:str20 "
        "recurrence_count:int? recurrence_until:date? recurrence_stopped_on:date? "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "mission": (
        "request_id:str36? beneficiary_id:str36 mission_type_id:str36 volunteer_id:str36? "
        "starts_at:datetime ends_at:datetime status:str20 status_changed_at:datetime? "
        "actual_duration_min:int? mileage_km:decimal8.1? outcome_note:text notes:text "
        "concern:bool concern_handled_at:datetime? concern_handled_by:str120 "
        "cancel_reason:text override_reason:text created_at:datetime updated_at:datetime "
        "row_version:int deleted_at:datetime?"
    ),
    "hours_entry": (
        "volunteer_id:str36 mission_id:str36? mission_type_id:str36? entry_date:date "
        "minutes:int mileage_km:decimal8.1 kind:str20 corrects_entry_id:str36? note:text "
        "created_by:str120 created_at:datetime"
    ),
    "hours_declaration": (
        "volunteer_id:str36 mission_id:str36 minutes:int mileage_km:decimal8.1 note:text "
        "declared_at:datetime status:str20 decided_by:str120 decided_at:datetime? "
        "refusal_reason:text created_at:datetime updated_at:datetime row_version:int "
        "deleted_at:datetime?"
    ),
    "register_entry": (
        "beneficiary_id:str36 category:str20 disability_basis:str20 requested_by:str20 "
        "requester_name:str160 requester_quality:str120 consent:bool request_date:date "
        "home_care_service:str160 emergency_contact_name:str160 emergency_contact_phone:str20 "
        "lives_alone:bool notes:text ack_sent_on:date? removed_on:date? removal_reason:str200 "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "call_campaign": (
        "kind:str20 starts_on:date ends_on:date? max_attempts:int notes:text "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "call_attempt": (
        "campaign_id:str36 entry_id:str36 called_at:datetime outcome:str20 called_by:str120 "
        "request_id:str36? notes:text created_at:datetime updated_at:datetime row_version:int "
        "deleted_at:datetime?"
    ),
    # Impact surveys (issue 16).
    "survey": (
        "title:str160 audience:str20 period_start:date period_end:date intro:text "
        "questions:text version:int previous_id:str36? status:str20 target_margin:decimal4.1 "
        "quartiers:text mission_type_id:str36? stratify:bool max_attempts:int seed:int? "
        "population:int sample_size:int launched_at:datetime? closed_at:datetime? "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "survey_contact": (
        "survey_id:str36 beneficiary_id:str36? volunteer_id:str36? label:str160 stratum:str80 "
        "draw_rank:int replaces_id:str36? channel:str20 state:str20 attempts:int "
        "last_called_at:datetime? consent:bool? consent_at:datetime? consent_by:str120 "
        "answered_at:datetime? token_hash:str64 link_made_at:datetime? created_at:datetime "
        "updated_at:datetime row_version:int deleted_at:datetime?"
    ),
    "survey_answer": (
        "survey_id:str36 contact_id:str36 question:str20 value_num:decimal12.2? value_text:text "
        "skipped:bool answered_at:datetime created_at:datetime updated_at:datetime "
        "row_version:int deleted_at:datetime?"
    ),
    "do_not_call": (
        "beneficiary_id:str36 since:date reason:str200 recorded_by:str120 removed_on:date? "
        "created_at:datetime updated_at:datetime row_version:int deleted_at:datetime?"
    ),
}  # fmt: skip

# Keys of `extra` the desks read, and what they hold.
EXTRA_IDS: dict[str, dict[str, int]] = {"volunteer": {"mission_type_ids": 200}}


class Invalid(Exception):
    """A value the platform refuses; the message is the French reason, `field` the
    field it names (empty for the record as a whole)."""

    @property
    def field(self) -> str:
        message = str(self)
        if message.startswith("Le champ « "):
            return message[len("Le champ « ") :].split(" »", 1)[0]
        return ""


@dataclass(frozen=True)
class Kind:
    name: str  # str, text, int, bool, date, datetime, time, decimal
    nullable: bool
    limit: int = 0  # characters (str, text) or the largest absolute value (decimal)


def _kind(spec: str) -> Kind:
    nullable = spec.endswith("?")
    spec = spec.rstrip("?")
    if spec.startswith("str"):
        return Kind("str", nullable, int(spec[3:]))
    if spec == "text":
        return Kind("text", nullable, MAX_LONG_TEXT)
    if spec.startswith("decimal"):
        precision, scale = (int(part) for part in spec[7:].split("."))
        return Kind("decimal", nullable, 10 ** (precision - scale))
    return Kind(spec, nullable)


SCHEMA: dict[str, dict[str, Kind]] = {
    entity: {name: _kind(spec) for name, spec in (part.split(":") for part in text.split())}
    for entity, text in SCHEMA_TEXT.items()
}

_WHAT = {
    "str": "un texte",
    "text": "un texte",
    "int": "un nombre entier",
    "bool": "oui ou non (true ou false)",
    "date": "une date (AAAA-MM-JJ)",
    "datetime": "une date et une heure (AAAA-MM-JJTHH:MM:SS)",
    "time": "une heure (HH:MM:SS)",
    "decimal": "un nombre décimal",
}


def _shown(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _wrong(name: str, kind: Kind, value: Any) -> Invalid:
    return Invalid(f"Le champ « {name} » doit être {_WHAT[kind.name]} : {_shown(value)} refusé.")


def _text_bytes(name: str, value: str, limit: int) -> int:
    if _BAD_CHARS.search(value):
        return _bad_chars(name)
    if len(value) > limit:
        raise Invalid(f"Le champ « {name} » est trop long ({limit} caractères au plus).")
    return len(value) if value.isascii() else len(value.encode("utf-8"))


def _bad_chars(name: str) -> int:
    raise Invalid(
        f"Le champ « {name} » contient un caractère interdit (caractère nul, de contrôle ou "
        "moitié de paire UTF-16) : modification refusée."
    )


def _integer(name: str, value: int) -> int:
    if not INT64[0] <= value <= INT64[1]:
        raise Invalid(f"Le champ « {name} » est un nombre hors limites (64 bits au plus).")
    return 20


def _value_bytes(name: str, kind: Kind, value: Any) -> int:
    """The value's size in bytes (about) once checked; raises Invalid."""
    if value is None or (value == "" and kind.nullable and kind.name not in ("str", "text")):
        if kind.nullable:
            return 4
        raise Invalid(f"Le champ « {name} » ne peut pas être vide : une valeur est obligatoire.")
    name_of = kind.name
    cls = value.__class__
    if name_of in ("str", "text"):
        if cls is not str:
            raise _wrong(name, kind, value)
        return _text_bytes(name, value, kind.limit)
    if name_of == "int":
        if cls is not int:
            raise _wrong(name, kind, value)
        return _integer(name, value)
    if name_of == "bool":
        if cls is not bool:
            raise _wrong(name, kind, value)
        return 5
    if name_of == "decimal":
        return _decimal(name, kind, value)
    if cls is not str:
        raise _wrong(name, kind, value)
    pattern = _DATE if name_of == "date" else _DATETIME if name_of == "datetime" else _TIME
    if not pattern.match(value):
        raise _wrong(name, kind, value)
    try:
        if name_of == "date":
            dt.date.fromisoformat(value)
        elif name_of == "datetime":
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            dt.time.fromisoformat(value)
    except ValueError:
        raise _wrong(name, kind, value) from None
    return len(value)


def _decimal(name: str, kind: Kind, value: Any) -> int:
    if value.__class__ is str:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise _wrong(name, kind, value) from None
        finite = number.is_finite()
    elif value.__class__ in (int, float):
        number, finite = (
            Decimal(value) if math.isfinite(value) else Decimal(0),
            math.isfinite(value),
        )
    else:
        raise _wrong(name, kind, value)
    if not finite or abs(number) >= kind.limit:
        raise Invalid(f"Le champ « {name} » est un nombre hors limites : {_shown(value)} refusé.")
    return len(str(value))


def json_bytes(name: str, value: Any, depth: int = 0) -> int:
    """Any JSON value (an unknown field, an `extra` key): storable everywhere, bounded."""
    cls = value.__class__
    if value is None or cls is bool:
        return 5
    if cls is int:
        return _integer(name, value)
    if cls is float:
        if not math.isfinite(value):
            raise Invalid(f"Le champ « {name} » n'est pas un nombre (NaN ou infini) : refusé.")
        return 24
    if cls is str:
        return _text_bytes(name, value, MAX_LONG_TEXT) + 2
    if cls not in (list, dict):
        raise Invalid(f"Le champ « {name} » a une valeur d'un type non accepté.")
    if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
        raise Invalid(f"Le champ « {name} » est trop imbriqué ou trop long.")
    if cls is list:
        return 2 + sum(json_bytes(name, item, depth + 1) + 1 for item in value)
    size = 2
    for key, item in value.items():
        if key.__class__ is not str:
            raise Invalid(f"Le champ « {name} » a une clé qui n'est pas un texte.")
        size += _text_bytes(name, key, 200) + 4 + json_bytes(name, item, depth + 1)
    return size


def _extra_bytes(entity: str, extra: Mapping[str, Any]) -> int:
    known = EXTRA_IDS.get(entity, {})
    size = 2
    for key, value in extra.items():
        name = f"extra.{str(key)[:40]}"
        if key in known:
            if value.__class__ is not list or len(value) > known[key]:
                raise Invalid(f"Le champ « {name} » doit être une liste d'identifiants "
                              f"({known[key]} au plus).")  # fmt: skip
            for item in value:
                if item.__class__ is not str or not 0 < len(item) <= 36:
                    raise Invalid(f"Le champ « {name} » contient un identifiant invalide.")
            size += sum(len(item) + 3 for item in value)
        else:
            size += json_bytes(name, value)
        size += len(key) + 4
    return size


def check_record(entity: str, fields: Mapping[str, Any], extra: Mapping[str, Any]) -> int:
    """Raise Invalid (French reason) unless every field and `extra` value fits the
    entity's schema and the whole record fits MAX_RECORD_BYTES; returns its size."""
    schema = SCHEMA.get(entity, {})
    size = _extra_bytes(entity, extra) if extra else 2
    for name, value in fields.items():
        kind = schema.get(name)
        size += len(name) + 4
        size += json_bytes(name, value) if kind is None else _value_bytes(name, kind, value)
    if size > MAX_RECORD_BYTES:
        raise Invalid(f"Fiche trop volumineuse ({size // 1024} Kio ; {MAX_RECORD_BYTES // 1024} "
                      "Kio au plus) : modification refusée.")  # fmt: skip
    return size
