"""Accent- and case-folded keys for names, used to spot possible duplicates."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s'’\-.]+")


def fold(text: str) -> str:
    """ "Hélène Le Goff" → "helene le goff"; "Œ" → "oe", "ß" → "ss"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("ø", "o").replace("ł", "l")
    return _SEPARATORS.sub(" ", stripped).strip()


def name_key(first_name: str, last_name: str) -> str:
    """Order-insensitive key: "Le Goff Jean" and "Jean LE GOFF" give the same key."""
    words = sorted(fold(f"{first_name} {last_name}").split())
    return " ".join(words)
