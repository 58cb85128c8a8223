"""What the register's printed documents share: styles in the embedded font, the
house page furniture (confidential footer, page x / y) and building to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from bippop_desk.registry.clock import local_now
from bippop_desk.registry.frdates import short_datetime
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.reports.pdf_fonts import FONT, FONT_BOLD, register_fonts
from bippop_desk.reports.pdf_page import INK, PageFurniture, numbered_canvas
from bippop_desk.reports.rtl import visual

MARGIN = 1.6 * cm
HEADER_BG = colors.HexColor("#DCE3F0")
ZEBRA = colors.HexColor("#F5F7FA")
GRID = colors.HexColor("#A8B0C0")


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    return {
        "body": body,
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=FONT_BOLD),
        "bold": ParagraphStyle("bold", parent=body, fontName=FONT_BOLD),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=17,
            spaceBefore=6,
            spaceAfter=6,
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
    }


def p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped, right-to-left runs reordered)."""
    return Paragraph(escape(visual(text or "")).replace("\n", "<br/>"), style)


def table(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    grid = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BG))
    for row in range(2 if header else 1, len(rows), 2):
        commands.append(("BACKGROUND", (0, row), (-1, row), ZEBRA))
    grid.setStyle(TableStyle(commands))
    return grid


def build(
    path: Path,
    flowables: list[Any],
    *,
    issuer: str,
    title: str,
    subtitle: str = "",
    pagesize: tuple[float, float] = A4,
    printed: bool = True,
) -> int:
    """Write the PDF; returns its page count."""
    furniture = PageFurniture(
        issuer=issuer,
        title=title,
        subtitle=subtitle,
        right_notes=(),
        # A portrait letter has no room for it beside the confidentiality notice.
        printed=f"Imprimé le {short_datetime(local_now())}" if printed else "",
        margin=MARGIN,
    )
    pages: list[int] = []
    with written_atomically(path) as partial:
        _build(partial, flowables, furniture, pages, pagesize, title, issuer)
    return pages[0] if pages else 0


def _build(
    path: Path,
    flowables: list[Any],
    furniture: PageFurniture,
    pages: list[int],
    pagesize: tuple[float, float],
    title: str,
    issuer: str,
) -> None:
    document = SimpleDocTemplate(
        str(path),
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 0.6 * cm,
        bottomMargin=MARGIN + 0.4 * cm,
        title=title,
        author=issuer,
    )
    document.build(flowables, canvasmaker=numbered_canvas(furniture, pages.append))
