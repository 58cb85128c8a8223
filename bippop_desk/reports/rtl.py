"""Right-to-left text (Arabic, Hebrew) made printable on a left-to-right page.

reportlab draws characters in the order it gets them and never joins Arabic letters
(its bidi and shaping need optional native packages). So before layout, an RTL run is
reordered for display and Arabic letters take their joined presentation forms, built
from the Unicode database (no extra dependency). This is a simplified bidi for a
left-to-right page, right for names, addresses and short notes: an RTL run that wraps
over several lines keeps its words in display order line by line, not across lines.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")
_LAM = "\u0644"
_ALEFS = "\u0622\u0623\u0625\u0627"
_TATWEEL = "\u0640"


@lru_cache(maxsize=1)
def _forms() -> dict[str, dict[str, str]]:
    """base letter (or lam+alef) → {"isolated"|"final"|"initial"|"medial": form}."""
    table: dict[str, dict[str, str]] = {}
    # Presentation Forms-B first: it covers every basic Arabic letter (and DejaVu has it).
    for cp in [*range(0xFE70, 0xFEFD), *range(0xFB50, 0xFE00)]:
        decomposition = unicodedata.decomposition(chr(cp)).split()
        if len(decomposition) < 2 or not decomposition[0].startswith("<"):
            continue
        tag = decomposition[0].strip("<>")
        if tag not in ("isolated", "final", "initial", "medial"):
            continue
        base = "".join(chr(int(part, 16)) for part in decomposition[1:])
        if len(base) == 1 or (len(base) == 2 and base[0] == _LAM and base[1] in _ALEFS):
            table.setdefault(base, {}).setdefault(tag, chr(cp))
    return table


def _joins_forward(char: str) -> bool:
    """Can `char` connect to the letter after it (dual-joining)?"""
    if char == _TATWEEL:
        return True
    forms = _forms().get(char)
    return bool(forms and ("medial" in forms or "initial" in forms))


def _joins_backward(char: str) -> bool:
    return char == _TATWEEL or char in _forms()


def _transparent(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


def shape_arabic(text: str) -> str:
    """Arabic letters replaced by their joined forms (logical order kept)."""
    forms = _forms()
    chars = list(text)
    out: list[str] = []
    i = 0
    while i < len(chars):
        char = chars[i]
        if char not in forms:
            out.append(char)
            i += 1
            continue
        before = next((c for c in reversed(out) if not _transparent(c)), "")
        joined_before = before != "" and _joins_forward(_base_of(before))
        after_index = next(
            (j for j in range(i + 1, len(chars)) if not _transparent(chars[j])), None
        )
        after = chars[after_index] if after_index is not None else ""
        if char == _LAM and after in _ALEFS and after_index == i + 1:
            ligature = forms.get(char + after, {})
            form = ligature.get("final" if joined_before else "isolated")
            if form:
                out.append(form)
                i += 2
                continue
        joined_after = after != "" and _joins_forward(char) and _joins_backward(after)
        own = forms[char]
        if joined_before and joined_after and "medial" in own:
            out.append(own["medial"])
        elif joined_before and "final" in own:
            out.append(own["final"])
        elif joined_after and "initial" in own:
            out.append(own["initial"])
        else:
            out.append(own.get("isolated", char))
        i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _base_map() -> dict[str, str]:
    return {form: base for base, forms in _forms().items() for form in forms.values()}


def _base_of(char: str) -> str:
    """The letter a presentation form stands for (itself for any other character)."""
    return _base_map().get(char, char)


def _strength(char: str) -> str:
    kind = unicodedata.bidirectional(char)
    if kind in ("R", "AL"):
        return "R"
    if kind == "L":
        return "L"
    if kind in ("EN", "AN"):
        return "N"
    return ""  # neutral, spacing or transparent


def _reverse_run(run: str) -> str:
    """An RTL run in display order: reversed, numbers kept left to right, brackets
    mirrored."""
    pieces = re.findall(r"[0-9\u0660-\u0669\u06f0-\u06f9.,]+|.", run, flags=re.DOTALL)
    return "".join(
        piece if piece[0].isdigit() else piece.translate(_MIRROR) for piece in reversed(pieces)
    )


def _run_end(text: str, start: int, last: int, stop: int) -> int:
    """Where an RTL run ends: after its last RTL letter or number, and after the closing
    brackets of brackets it opened (they belong to the run, not to the next word)."""
    run = text[start : last + 1]
    unclosed = sum(run.count(o) - run.count(c) for o, c in ("()", "[]", "{}"))
    end = last + 1
    while unclosed > 0 and end < stop:
        if text[end] in ")]}":
            unclosed -= 1
            last = end
        elif not text[end].isspace():
            break
        end += 1
    return last + 1


def visual(text: str) -> str:
    """`text` as it must be drawn left to right; unchanged when it has no RTL letter."""
    if not _RTL.search(text):
        return text
    shaped = shape_arabic(text)
    out: list[str] = []
    run_start: int | None = None
    last_rtl = -1
    for index, char in enumerate(shaped):
        strength = _strength(char)
        if strength == "R" or (strength == "N" and run_start is not None):
            if run_start is None:
                run_start = index
            last_rtl = index
        elif strength == "L" and run_start is not None:
            end = _run_end(shaped, run_start, last_rtl, index)
            out.append(_reverse_run(shaped[run_start:end]))
            out.append(shaped[end : index + 1])
            run_start = None
        elif run_start is None:
            out.append(char)
    if run_start is not None:
        end = _run_end(shaped, run_start, last_rtl, len(shaped))
        out.append(_reverse_run(shaped[run_start:end]))
        out.append(shaped[end:])
    return "".join(out)
