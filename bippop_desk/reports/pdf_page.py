"""Page furniture of printed documents: header, confidentiality footer, "page x / y".

The total page count is only known at the end, so pages are kept and decorated when
the document is saved (one layout pass, not two).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from bippop_desk.reports.pdf_fonts import FONT, FONT_BOLD
from bippop_desk.reports.rtl import visual

CONFIDENTIAL = "Document confidentiel — données personnelles"
INK = colors.HexColor("#1F2A44")
MUTED = colors.HexColor("#5A6275")


@dataclass(frozen=True)
class PageFurniture:
    """What every page shows: the issuer on the left, the title in the middle, a
    detail line under it, up to two short notes on the right (e.g. public holidays), and
    when it was printed."""

    issuer: str
    title: str
    subtitle: str
    right_notes: tuple[str, ...]
    printed: str
    margin: float


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """`text` shortened with "…" so that it fits `width` (a header never overflows)."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def decorate(canvas: Canvas, furniture: PageFurniture, page: int, total: int) -> None:
    width, height = canvas._pagesize
    m = furniture.margin
    canvas.saveState()
    canvas.setFillColor(INK)
    top = height - m + 8
    # The title gets the middle half of the line, the issuer and the note a quarter each.
    quarter = (width - 2 * m) / 4
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawString(m, top, _fit(canvas, visual(furniture.issuer), FONT_BOLD, 9, quarter - 6))
    canvas.setFont(FONT_BOLD, 11)
    title = _fit(canvas, furniture.title, FONT_BOLD, 11, 2 * quarter)
    canvas.drawCentredString(width / 2, top, title)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(
        width / 2, top - 11, _fit(canvas, furniture.subtitle, FONT, 8, 2 * quarter)
    )
    for line, note in enumerate(furniture.right_notes[:2]):
        canvas.drawRightString(width - m, top - 11 * line, _fit(canvas, note, FONT, 8, quarter - 6))
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(m, top - 16, width - m, top - 16)
    canvas.line(m, m - 10, width - m, m - 10)
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 8)
    canvas.drawString(m, m - 21, CONFIDENTIAL)
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(width / 2, m - 21, furniture.printed)
    canvas.drawRightString(width - m, m - 21, f"page {page} / {total}")
    canvas.restoreState()


def numbered_canvas(
    furniture: PageFurniture, on_done: Callable[[int], None] | None = None
) -> type[Canvas]:
    """A Canvas class that decorates every page once the page count is known;
    `on_done(pages)` is called when the document is saved."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Start in the embedded font: no page then refers to a base-14 font.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                decorate(self, furniture, number, total)
                super().showPage()
            super().save()
            if on_done is not None:
                on_done(total)

    return NumberedCanvas
