"""One folding of names and streets, for the search index, the search query and the
duplicate keys, so that what is typed finds what was stored whatever the letters.

- Accents, case, compatibility forms (full-width "Ｌｅｆｅｖｒｅ", ligatures "ﬁ") and
  text typed decomposed (NFD) fold away: "Hélène" → "helene".
- Letters Unicode does not decompose are spelled the French way: œ → oe, æ → ae,
  ß/ẞ → ss, ø → o, ł → l, đ/ð → d, þ → th, Turkish ı/İ → i.
- Apostrophes, hyphens and particles also match joined: the index holds "d alembert"
  and "dalembert" for D'Alembert, "le goff" and "legoff" for Le Goff.

The search index calls these through SQLite functions (`register_functions`, done on
every connection the registry opens): the FTS triggers of migration 0006 fold in the
very transaction of each change, whoever writes (services, sync, demo).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from functools import lru_cache

# What Unicode leaves whole after NFKD, spelled as French readers type it.
_SPELLED = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ß": "ss",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ĸ": "k",
    }
)
# Joined forms are made for names of a few words (a pasted paragraph is not a name).
MAX_JOINED_WORDS = 6
# Longer text is cut before folding: a name, a street or a query is never this long.
MAX_FOLDED_CHARS = 1000


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """ "Hélène Le Goff" → "helene le goff"; "Œuvray" → "oeuvray"; "Yılmaz" → "yilmaz".

    Lower-case ASCII letters and digits, words separated by one space; any other
    character (apostrophes, hyphens, punctuation, controls) separates words.
    """
    text = text[:MAX_FOLDED_CHARS]
    # casefold first (ß → ss, İ → i + dot), then NFKD splits accents and compatibility
    # forms; marks are dropped, the letters NFKD keeps whole are spelled out.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    spelled = stripped.translate(_SPELLED)
    # Other scripts (Greek, Cyrillic, Arabic…) keep their letters: \w, not a–z only.
    return " ".join(w for w in re.split(r"[\W_]+", spelled) if w)


def joined_forms(folded: str) -> list[str]:
    """The joined spellings of a folded name: "de la fontaine" → ["delafontaine",
    "lafontaine"], so "lafontaine" and "delafontaine" find "de La Fontaine"."""
    words = folded.split()
    if not 2 <= len(words) <= MAX_JOINED_WORDS:
        return []
    return ["".join(words[start:]) for start in range(len(words) - 1)]


def index_names(*names: str | None) -> str:
    """The text indexed for a person's names (each name as folded, then its joined
    spellings). Each argument is one name field (last, first, birth name)."""
    parts: list[str] = []
    for name in names:
        folded = fold(name or "")
        if folded:
            parts.append(folded)
            parts.extend(joined_forms(folded))
    return " ".join(parts)


def index_text(*texts: str | None) -> str:
    """The text indexed for a street and a city: folded, no joined forms."""
    return " ".join(folded for folded in (fold(t or "") for t in texts) if folded)


def query_words(query: str) -> list[str]:
    """The words of a search query, folded the way the index is."""
    return fold(query).split()


def name_key(first_name: str, last_name: str) -> str:
    """Order-insensitive key for duplicates, each name joined: "Jean LE GOFF", "Legoff
    Jean" and "jean le-goff" give the same key ("jean legoff")."""
    words = sorted(
        joined for joined in ("".join(fold(n).split()) for n in (first_name, last_name)) if joined
    )
    return " ".join(words)


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the folding available to SQL (the FTS triggers call it). Deterministic:
    SQLite may use them in indexes and skip repeated calls."""
    conn.create_function("bippop_index_names", -1, index_names, deterministic=True)
    conn.create_function("bippop_index_text", -1, index_text, deterministic=True)
