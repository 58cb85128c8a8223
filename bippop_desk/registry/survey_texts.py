"""Free-text answers shown without names (issue 16: pseudonymous outputs).

A free text may quote the volunteer ("Mme Durand est adorable"), a neighbour or the
person. Before it is shown or printed: a capitalised word that is a first or last name
known to the registry (the volunteers, the people asked), any word after a civility
(M., Mme, Madame…), phone numbers and e-mail addresses become "[nom]", "[téléphone]",
"[e-mail]". Over-masking a word ("Rose") is preferred to leaving a name. The texts are
also listed in an order of their own (not the order of the calls).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

NAME = "[nom]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+\s?33\s?|0)\s?[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
_CIVILITY = re.compile(
    r"\b(M\.|Mr\.?|Mme\.?|Mlle\.?|Madame|Monsieur|Mademoiselle|Docteur|Dr\.?)\s+"
    r"([A-ZÀ-ÖØ-Þ][\w’'\-]*)",
)
# A word that may start with a capital (anything but a–z and Latin-1's small letters;
# `masked` checks isupper() for the others: œ, ł…).
_CAPITALISED = re.compile(r"\b(?=[^\W\d_])(?:(?![a-zß-ÿ])[^\W\d_])\w*")
_DIGIT = re.compile(r"\d")
# Particles of names ("Le Goff", "de La Tour") are everyday words: never masked alone.
PARTICLES = frozenset({"le", "la", "les", "de", "du", "des", "van", "von", "der", "den",
                       "di", "da", "del", "dos", "el", "al", "ben", "et"})  # fmt: skip
_PARTS = re.compile(r"[\s\-’']+")


def _accents() -> dict[int, str]:
    """Latin letters with marks → their base letters (one str.translate per word: the
    registry's full folding, textkeys.fold, costs 20 µs a word and a survey reads
    thousands of names; both sides of the comparison use this one)."""
    table: dict[int, str] = {}
    for point in range(0xC0, 0x250):
        letter = chr(point)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c)
        )
        if base and base != letter:
            table[point] = base
    for letters, spelled in (("œŒ", "oe"), ("æÆ", "ae"), ("ß", "ss"), ("øØ", "o"), ("łŁ", "l"),
                             ("ıİ", "i"), ("đĐ", "d")):  # fmt: skip
        for letter in letters:
            table[ord(letter)] = spelled
    return table


_ACCENTS = _accents()


def word_key(word: str) -> str:
    return word.translate(_ACCENTS).lower()


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The keys of the words of first and last names (split on spaces, - and ')."""
    words: set[str] = set()
    split = _PARTS.split
    for name in set(names):
        for part in split(name or ""):
            if len(part) >= 2:
                words.add(word_key(part))
    return frozenset(words - PARTICLES)


def pseudonymise(text: str, known: frozenset[str]) -> str:
    # Each pass only where it can change something: a survey has thousands of texts.
    if "@" in text:
        text = _EMAIL.sub("[e-mail]", text)
    if _DIGIT.search(text):
        text = _PHONE.sub("[téléphone]", text)
    text = _CIVILITY.sub(_after_civility, text)
    capitals = _CAPITALISED.findall(text)
    if not capitals or known.isdisjoint(map(word_key, capitals)):
        return text

    def masked(match: re.Match[str]) -> str:
        word = match.group(0)
        return NAME if word[0].isupper() and word_key(word) in known else word

    return _CAPITALISED.sub(masked, text)


def _after_civility(match: re.Match[str]) -> str:
    return f"{match.group(1)} {NAME}"


def shown_order(texts: Iterable[str], seed: int) -> list[str]:
    """The texts in a fixed order unrelated to who answered when."""
    return sorted(texts, key=lambda t: hashlib.blake2b(f"{seed}:{t}".encode()).digest())
