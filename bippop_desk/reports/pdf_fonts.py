"""The Unicode font embedded in every printed document (DejaVu Sans, shipped in
reports/fonts/): reportlab's built-in Helvetica has no "Œ" in some viewers, no "ễ", "Ğ",
Hebrew or Arabic, and would print black boxes for those names."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "BipPopSans"
FONT_BOLD = "BipPopSans-Bold"
FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}


def font_path(name: str) -> Path:
    """Where the shipped TTF file of `name` is (inside the installed package)."""
    return Path(str(resources.files("bippop_desk.reports") / "fonts" / FILES[name]))


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the fonts with reportlab once per process; returns (regular, bold).

    Safe to call from any thread; registration happens on first call only.
    """
    for name in FILES:
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
    # <b> in paragraphs picks the bold face; there is no italic face shipped.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT, FONT_BOLD


def missing_glyphs(text: str, name: str = FONT) -> list[str]:
    """Characters of `text` the font cannot draw (they would print as boxes)."""
    register_fonts()
    face = pdfmetrics.getFont(name).face
    return sorted(
        {char for char in text if not char.isspace() and ord(char) not in face.charToGlyph}
    )
