"""What may leave this desk for the platform: a change that neither the platform nor any
desk of the commune could store back is stopped here, never sent.

The same limits the platform applies (bippop_central/fields.py, docs/sync-protocol.md),
from this side: no NaN or infinity, no integer past 64 bits, no NUL, other control
character or lone surrogate in a text, every value of a known column in the form this
desk's own pull would store, a record of at most MAX_RECORD_BYTES. ChangeSet checks every
entry it writes (the transaction is refused with a French message); push checks again
what reached the outbox by other paths (imports, older versions) and marks it refused,
unsent, with the reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from bippop_desk.registry.models import Base
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS

MAX_RECORD_BYTES = 128 * 1024  # the platform's limit for one record (fields + extra)
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_INT64 = 2**63
_CONVERTERS: dict[str, dict[str, Any]] = {}


def _converters(entity: str) -> dict[str, Any]:
    """Column -> the storage converter this desk's pull uses (remote_values.py)."""
    if entity not in _CONVERTERS:
        from bippop_desk.registry.remote_values import storage_converter

        table = Base.metadata.tables.get(entity)
        columns = table.columns if table is not None else ()
        _CONVERTERS[entity] = {
            str(c.key): storage_converter(c.type) for c in columns if c.key not in LOCAL_ONLY_FIELDS
        }
    return _CONVERTERS[entity]


def _value_problem(value: Any, depth: int = 0) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "n'est pas un nombre (NaN ou infini)"
    if isinstance(value, int) and not isinstance(value, bool) and not -_INT64 <= value < _INT64:
        return "est un nombre trop grand"
    if isinstance(value, str) and _BAD_CHARS.search(value):
        return "contient un caractère invisible ou illisible"
    if isinstance(value, list | tuple) and depth < 5:
        return next((p for p in (_value_problem(v, depth + 1) for v in value) if p), "")
    if isinstance(value, dict) and depth < 5:
        return next((p for p in (_value_problem(v, depth + 1) for v in value.values()) if p), "")
    return ""


def problems(entity: str, payload: Mapping[str, Any]) -> dict[str, str]:
    """{field: French message} for what the platform could not take; {} when all is well."""
    found: dict[str, str] = {}
    fields = payload.get("fields") or {}
    converters = _converters(entity)
    for name, value in fields.items():
        problem = _value_problem(value)
        convert = converters.get(name)
        if not problem and convert is not None and value is not None:
            try:
                stored = convert(value)  # what a desk's pull would do with it
            except (ValueError, TypeError, OverflowError, ArithmeticError):
                problem = "n'a pas la forme attendue"
            else:
                problem = _value_problem(stored)
        if problem:
            found[name] = (
                f"La valeur du champ « {name} » {problem} : elle ne peut pas être envoyée."
            )
    for key, value in (payload.get("extra") or {}).items():
        problem = _value_problem(value)
        if problem:
            found[f"extra.{key}"] = (
                f"La valeur « {key} » {problem} : elle ne peut pas être envoyée."
            )
    if not found:
        size = len(json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8", "replace"))
        if size > MAX_RECORD_BYTES:
            found["fiche"] = (
                f"Fiche trop volumineuse pour la plateforme ({size // 1024} Kio ; "
                f"{MAX_RECORD_BYTES // 1024} Kio au plus) : raccourcissez ses textes."
            )
    return found


def summary(found: Mapping[str, str]) -> str:
    return "Non envoyée : " + " ".join(found.values())
