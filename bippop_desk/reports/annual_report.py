"""The annual activity report (PDF) for the conseil municipal and the conférence des
financeurs: the year's key figures, hours by month, missions by type, who was reached.

Charts are drawn with reportlab's own graphics (no Qt below ui/). Only aggregated
figures: no name of a person or a volunteer appears in it. Pure function of a
`Dashboard`; `write_annual_report` reads the registry and writes the file atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bippop_desk import __version__
from bippop_desk.registry.clock import local_now
from bippop_desk.registry.frdates import LOCALE, short_datetime
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.services.dashboard import (
    Dashboard,
    dashboard,
    fr_number,
    key_figures,
)
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.store import Registry
from bippop_desk.reports.pdf_fonts import FONT, FONT_BOLD, register_fonts

INK = colors.HexColor("#1F2A44")
GREEN = colors.HexColor("#2E7D32")
LIGHT = colors.HexColor("#E8F1E8")
GREY = colors.HexColor("#B0B7C3")
MARGIN = 1.8 * cm
WIDTH = A4[0] - 2 * MARGIN
MAX_TYPES = 12  # the chart lists the most frequent types; the rest are grouped


@dataclass(frozen=True)
class Identity:
    """Who issues the report (the commune's identity settings)."""

    commune: str
    service: str = "CCAS"
    address: str = ""
    signatory: str = ""


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {
        "title": ParagraphStyle(
            "title", fontName=FONT_BOLD, fontSize=20, leading=24, textColor=INK, spaceAfter=4
        ),
        "sub": ParagraphStyle("sub", fontName=FONT, fontSize=11, leading=14, textColor=INK),
        "h2": ParagraphStyle(
            "h2",
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            textColor=GREEN,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle(
            "small", fontName=FONT, fontSize=8, leading=10, textColor=colors.HexColor("#5A6275")
        ),
        "figure": ParagraphStyle(
            "figure",
            fontName=FONT_BOLD,
            fontSize=16,
            leading=19,
            textColor=INK,
            alignment=TA_CENTER,
        ),
        "label": ParagraphStyle(
            "label", fontName=FONT, fontSize=8.5, leading=10.5, alignment=TA_CENTER
        ),
    }


def key_figures_style() -> TableStyle:
    """The boxes of key figures at the top of a report (the survey report's too)."""
    return TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
            ("BOX", (0, 0), (-1, -1), 0.5, GREY),
            ("INNERGRID", (0, 0), (-1, -1), 2, colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ]
    )


def _figures_table(board: Dashboard, styles: dict[str, ParagraphStyle]) -> Table:
    cells: list[object] = []
    for figure in key_figures(board):
        cells.append(
            [
                Paragraph(escape(figure.value), styles["figure"]),
                Paragraph(f"<b>{escape(figure.label)}</b>", styles["label"]),
                Paragraph(escape(figure.detail), styles["label"]),
            ]
        )
    per_row = 3
    rows: list[list[object]] = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    table = Table(rows, colWidths=[WIDTH / per_row] * per_row)
    table.setStyle(key_figures_style())
    return table


def _month_chart(board: Dashboard) -> Drawing:
    months = board.hours_by_month()
    drawing = Drawing(WIDTH, 6.5 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y = 1.2 * cm, 0.9 * cm
    chart.width, chart.height = WIDTH - 1.6 * cm, 5.2 * cm
    chart.data = [[float(hours) for _month, hours in months] or [0.0]]
    chart.categoryAxis.categoryNames = [
        str(format_date(month, "MMM", locale=LOCALE)).rstrip(".") for month, _h in months
    ] or [""]
    chart.bars[0].fillColor = GREEN
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: fr_number(v)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6
    chart.barLabelFormat = lambda v: fr_number(v) if v else ""
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _type_chart(board: Dashboard) -> Drawing:
    types = board.missions_by_type[:MAX_TYPES]
    rest = sum(t.missions for t in board.missions_by_type[MAX_TYPES:])
    labels = [t.label for t in types] + (["Autres types"] if rest else [])
    values = [t.missions for t in types] + ([rest] if rest else [])
    rows = max(len(values), 1)
    drawing = Drawing(WIDTH, rows * 0.55 * cm + 1.2 * cm)
    chart = HorizontalBarChart()
    chart.x, chart.y = 6.2 * cm, 0.6 * cm
    chart.width, chart.height = WIDTH - 7.4 * cm, rows * 0.55 * cm
    # Largest on top: the category axis draws from the bottom.
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = INK
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabelFormat = lambda v: fr_number(v)
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 4
    drawing.add(chart)
    return drawing


def _reach_chart(board: Dashboard) -> Drawing:
    offline = board.people_offline
    online = board.hours.beneficiaries - offline
    drawing = Drawing(WIDTH, 4.6 * cm)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 1.0 * cm, 0.3 * cm, 3.8 * cm, 3.8 * cm
    pie.data = [offline, online] if offline or online else [1]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices[0].fillColor = GREEN
    if len(pie.data) > 1:
        pie.slices[1].fillColor = GREY
    drawing.add(pie)
    lines = [
        (GREEN, f"Sans accès à internet : {fr_number(offline)}"),
        (GREY, f"Avec accès à internet : {fr_number(online)}"),
    ]
    for index, (color, text) in enumerate(lines):
        y = 3.0 * cm - index * 0.7 * cm
        drawing.add(String(6.0 * cm, y, "■", fontName=FONT, fontSize=12, fillColor=color))
        drawing.add(String(6.6 * cm, y + 1, text, fontName=FONT, fontSize=10, fillColor=INK))
    drawing.add(
        String(
            6.0 * cm,
            0.9 * cm,
            "La promesse « 100 % de couverture » : aidées qu'elles soient en ligne ou non.",
            fontName=FONT,
            fontSize=8,
            fillColor=colors.HexColor("#5A6275"),
        )
    )
    return drawing


def _footer(identity: Identity, printed: str) -> object:
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(INK)
        canvas.drawString(MARGIN, 1.1 * cm, f"{identity.service} de {identity.commune}")
        canvas.drawCentredString(A4[0] / 2, 1.1 * cm, printed)
        canvas.drawRightString(A4[0] - MARGIN, 1.1 * cm, f"page {document.page}")
        canvas.restoreState()

    return draw


def annual_report_pdf(
    board: Dashboard, identity: Identity, printed_at: dt.datetime | None = None
) -> bytes:
    """The report of `board` (a year, or any period) as PDF bytes."""
    styles = _styles()
    printed = f"Édité le {short_datetime(printed_at or local_now()).replace(' ', ' à ')}"
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Rapport d'activité — {board.period.title} — {identity.commune}",
        author=f"{identity.service} de {identity.commune}",
        subject="Entraide contre l'isolement : rapport d'activité",
        creator=f"Bip Pop Desk {__version__}",
    )
    story: list[object] = [
        Paragraph(f"Rapport d'activité — {escape(board.period.title)}", styles["title"]),
        Paragraph(
            f"{escape(identity.service)} de {escape(identity.commune)} · entraide de proximité "
            "contre l'isolement avec Bip Pop",
            styles["sub"],
        ),
    ]
    if identity.address:
        story.append(Paragraph(escape(identity.address), styles["small"]))
    story += [
        Spacer(1, 0.5 * cm),
        Paragraph("Chiffres clés", styles["h2"]),
        _figures_table(board, styles),
        KeepTogether(
            [Paragraph("Heures de bénévolat par mois", styles["h2"]), _month_chart(board)]
        ),
        KeepTogether(
            [Paragraph("Interventions par type de mission", styles["h2"]), _type_chart(board)]
        ),
        KeepTogether([Paragraph("Personnes aidées", styles["h2"]), _reach_chart(board)]),
        Paragraph("Méthode", styles["h2"]),
        Paragraph(
            "Heures nettes (les corrections comptent à leur date), interventions distinctes "
            "ayant une saisie d'heures sur la période, personnes comptées une seule fois : "
            "mêmes règles et mêmes chiffres que le tableau des heures remis au conseil "
            f"départemental. Valorisation : {escape(board.rates_source)}.",
            styles["body"],
        ),
    ]
    if identity.signatory:
        story += [Spacer(1, 0.8 * cm), Paragraph(escape(identity.signatory), styles["body"])]
    footer = _footer(identity, printed)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def write_annual_report(
    registry: Registry, period: Period, path: Path | str, identity: Identity | None = None
) -> Path:
    """Read the period's dashboard and write its report to `path` (a temporary name
    first: a half-written file never replaces a good one). DB worker."""
    from bippop_desk.registry.services.settings import (
        COMMUNE_ADDRESS,
        COMMUNE_SIGNATORY,
        get_setting,
    )

    if identity is None:
        commune = registry.commune()
        identity = Identity(
            commune.name,
            commune.service_name or "CCAS",
            get_setting(registry, COMMUNE_ADDRESS),
            get_setting(registry, COMMUNE_SIGNATORY),
        )
    content = annual_report_pdf(dashboard(registry, period), identity)
    target = Path(path)
    with written_atomically(target) as partial:
        partial.write_bytes(content)
    return target


def report_file_name(period: Period, commune: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in commune).strip("-")
    return f"rapport-activite-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{safe}.pdf"


__all__: Sequence[str] = (
    "Identity",
    "annual_report_pdf",
    "report_file_name",
    "write_annual_report",
)
