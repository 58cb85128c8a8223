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
from collections.abc import Iterable

from bippop_desk.registry.textkeys import fold

NAME = "[nom]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+\s?33\s?|0)\s?[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
_CIVILITY = re.compile(
    r"\b(M\.|Mr\.?|Mme\.?|Mlle\.?|Madame|Monsieur|Mademoiselle|Docteur|Dr\.?)\s+"
    r"([A-ZÀ-ÖØ-Þ][\w’'\-]*)",
)
_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ]\w*")


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The folded words of first and last names (compound names split on - and space)."""
    words: set[str] = set()
    for name in names:
        for part in re.split(r"[\s\-’']+", name or ""):
            folded = fold(part)
            if len(folded) >= 2:
                words.add(folded)
    return frozenset(words)


def pseudonymise(text: str, known: frozenset[str]) -> str:
    text = _EMAIL.sub("[e-mail]", text)
    text = _PHONE.sub("[téléphone]", text)
    text = _CIVILITY.sub(lambda m: f"{m.group(1)} {NAME}", text)
    return _WORD.sub(lambda m: NAME if fold(m.group(0)) in known else m.group(0), text)


def shown_order(texts: Iterable[str], seed: int) -> list[str]:
    """The texts in a fixed order unrelated to who answered when."""
    return sorted(texts, key=lambda t: hashlib.blake2b(f"{seed}:{t}".encode()).digest())
