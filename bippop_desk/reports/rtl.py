"""Right-to-left text (Arabic, Hebrew) made printable on a left-to-right page.

reportlab draws characters in the order it gets them and does not join Arabic letters.
So before layout, text with right-to-left letters is shaped (arabic-reshaper: joined
presentation forms, lam-alef ligatures) and reordered for display with the Unicode
bidirectional algorithm (python-bidi), on a left-to-right base direction. python-bidi
does not mirror brackets (rule L4), so a bracket pair that the reordering turned round
inside right-to-left text (")…(" around RTL letters) is turned back.

Names, addresses and short notes come out right; a right-to-left passage that reportlab
then wraps over several lines keeps its lines in the order they were cut.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<", "»": "«", "›": "‹"}


def _mirror_reversed_pairs(display: str) -> str:
    chars = list(display)
    for index, char in enumerate(chars):
        opening = _PAIRS.get(char)
        if opening is None:
            continue
        # A closing bracket drawn before its opening one, around RTL letters.
        for end in range(index + 1, len(chars)):
            if chars[end] in (char, opening):
                if chars[end] == opening and _RTL.search("".join(chars[index + 1 : end])):
                    chars[index], chars[end] = opening, char
                break
    return "".join(chars)


@lru_cache(maxsize=4096)
def visual(text: str) -> str:
    """`text` as it must be drawn left to right; unchanged when it has no RTL letter."""
    if not _RTL.search(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    display = str(get_display(arabic_reshaper.reshape(text), base_dir="L"))
    return _mirror_reversed_pairs(display)
