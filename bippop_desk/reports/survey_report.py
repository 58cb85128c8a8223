"""The survey's results (PDF) in the annual report's style: key figures, one chart and
table per question, the quartiers compared where each has enough answers, the method.

Pseudonymous: only aggregated figures and free texts already cleared of names
(services/survey_results.py); a group under 5 people or a thin quartier shows "trop
peu de réponses", never a figure. Pure function of `SurveyResults`; `write_survey_report`
reads the registry (journaled as an export) and writes the file atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bippop_desk import __version__
from bippop_desk.registry.clock import local_now
from bippop_desk.registry.frdates import short_date, short_datetime
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.services.survey_results import (
    MIN_COMPARE,
    MIN_GROUP,
    TOO_FEW,
    QuestionResult,
    SurveyResults,
)
from bippop_desk.registry.services.surveys import AUDIENCES
from bippop_desk.registry.store import Registry
from bippop_desk.reports import survey_format as fmt
from bippop_desk.reports.annual_report import (
    GREEN,
    GREY,
    LIGHT,
    MARGIN,
    WIDTH,
    Identity,
    _footer,
    _styles,
    key_figures_style,
)
from bippop_desk.reports.pdf_fonts import FONT, FONT_BOLD

Styles = dict[str, ParagraphStyle]
MAX_TEXTS = 40  # free texts printed per question (the page shows them all)


def _key_figures(results: SurveyResults, styles: Styles) -> Table:
    survey = results.survey
    figures = [
        (
            str(results.respondents),
            "réponses obtenues",
            f"sur {results.asked} personnes interrogées",
        ),
        (fmt.rate_text(results), "taux de réponse", "réponses / personnes interrogées"),
        (
            fmt.margin_text(results),
            "marge d'erreur atteinte",
            f"à 95 % (visée : ± {fmt.number(float(survey.target_margin))} points)",
        ),
        (
            str(results.population),
            "personnes dans la population",
            "aidées sur la période" if survey.by_phone else "invitées",
        ),
    ]
    cells = [
        [
            Paragraph(escape(v), styles["figure"]),
            Paragraph(f"<b>{escape(label)}</b>", styles["label"]),
            Paragraph(escape(detail), styles["label"]),
        ]
        for v, label, detail in figures
    ]
    table = Table([cells[:2], cells[2:]], colWidths=[WIDTH / 2] * 2)
    table.setStyle(key_figures_style())
    return table


def _chart(question: QuestionResult) -> Drawing:
    labels = [s.label if len(s.label) <= 42 else s.label[:41] + "…" for s in question.shares]
    values = [round(s.interval.estimate * 100, 1) for s in question.shares]
    rows = max(len(values), 1)
    drawing = Drawing(WIDTH, rows * 0.6 * cm + 1.0 * cm)
    chart = HorizontalBarChart()
    chart.x, chart.y = 6.4 * cm, 0.6 * cm
    chart.width, chart.height = WIDTH - 8.0 * cm, rows * 0.6 * cm
    chart.data = [list(reversed(values)) or [0]]  # the first choice on top
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 25
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f} %"
    chart.bars[0].fillColor = GREEN
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabelFormat = lambda v: f"{fmt.number(v, 0)} %"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 4
    drawing.add(chart)
    return drawing


def _grid(rows: list[list[str]], widths: list[float], styles: Styles) -> Table:
    body = [[Paragraph(escape(cell), styles["body"]) for cell in row] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _question(number: int, question: QuestionResult, styles: Styles) -> list[object]:
    q = question.question
    title = Paragraph(f"{number}. {escape(q.text)}", styles["h2"])
    counted = f"{question.answered} réponses" + (
        f", {question.skipped} sans réponse" if question.skipped else ""
    )
    head = [title, Paragraph(f"{escape(q.kind_label)} — {escape(counted)}", styles["small"])]
    if question.hidden:
        return [
            KeepTogether(
                [
                    *head,
                    Paragraph(
                        f"<i>{TOO_FEW}</i> (moins de {MIN_GROUP} "
                        "personnes) : aucun chiffre n'est montré.",
                        styles["body"],
                    ),
                ]
            )
        ]
    parts: list[object] = []
    if question.shares:
        parts.append(_chart(question))
        rows = [["Réponse", "Personnes", "Part", "IC 95 % (Wilson)"]] + [
            [
                s.label,
                str(s.count),
                fmt.percent(s.interval.estimate),
                fmt.share_interval(s.interval),
            ]
            for s in question.shares
        ]
        parts.append(_grid(rows, [WIDTH * 0.46, WIDTH * 0.14, WIDTH * 0.14, WIDTH * 0.26], styles))
    if question.mean is not None:
        line = f"Moyenne : {fmt.mean_text(question.mean)}"
        if question.median is not None:
            line += f" — médiane : {fmt.number(question.median)}"
        parts.append(Spacer(1, 0.2 * cm))
        parts.append(Paragraph(escape(line), styles["body"]))
    if q.kind == "texte":
        shown = question.texts[:MAX_TEXTS]
        for text in shown:
            parts.append(Paragraph(f"« {escape(text)} »", styles["body"]))
        if len(question.texts) > len(shown):
            parts.append(
                Paragraph(
                    f"… et {len(question.texts) - len(shown)} autres réponses "
                    "(à lire dans Bip Pop Desk).",
                    styles["small"],
                )
            )
    if question.groups:
        parts.append(Spacer(1, 0.2 * cm))
        parts.append(Paragraph("Par quartier", styles["body"]))
        rows = [["Quartier", "Réponses", "Résultat"]] + [
            [fmt.group_name(g.name), str(g.answered), fmt.group_text(question, g)]
            for g in question.groups
        ]
        parts.append(_grid(rows, [WIDTH * 0.3, WIDTH * 0.14, WIDTH * 0.56], styles))
    return [KeepTogether([*head, *parts[:2]]), *parts[2:]]


def survey_report_pdf(
    results: SurveyResults, identity: Identity, printed_at: dt.datetime | None = None
) -> bytes:
    styles = _styles()
    survey = results.survey
    printed = f"Édité le {short_datetime(printed_at or local_now()).replace(' ', ' à ')}"
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Enquête — {survey.title} — {identity.commune}",
        author=f"{identity.service} de {identity.commune}",
        subject="Enquête d'impact : résultats",
        creator=f"Bip Pop Desk {__version__}",
    )
    period = f"du {short_date(survey.period_start)} au {short_date(survey.period_end)}"
    version = f" (version {survey.version})" if survey.version > 1 else ""
    story: list[object] = [
        Paragraph(f"Enquête d'impact — {escape(survey.title)}{version}", styles["title"]),
        Paragraph(
            f"{escape(identity.service)} de {escape(identity.commune)} · "
            f"{escape(AUDIENCES.get(survey.audience, survey.audience))} · {period}",
            styles["sub"],
        ),
        Spacer(1, 0.5 * cm),
        Paragraph("Chiffres clés", styles["h2"]),
        _key_figures(results, styles),
    ]
    for number, question in enumerate(results.questions, start=1):
        story += _question(number, question, styles)
    seed = f" (graine du tirage : {survey.seed})" if survey.seed else ""
    method = (
        f"Population : {results.population} personnes. "
        + (
            f"Échantillon aléatoire de {survey.sample_size} personnes{seed}"
            + (", stratifié par quartier" if survey.stratify else "")
            + ", avec remplacement "
            "des personnes injoignables ou qui refusent par la suivante du même quartier. "
            if survey.by_phone
            else "Toutes les personnes invitées, par un lien personnel à usage unique. "
        )
        + "Proportions : intervalle de confiance à 95 % de Wilson ; moyennes : loi de "
        "Student ; marge d'erreur atteinte pour une proportion de 50 %, avec correction de "
        f"population finie. Un groupe de moins de {MIN_GROUP} personnes n'est jamais "
        f"montré ; un quartier n'est comparé qu'à partir de {MIN_COMPARE} réponses. "
        "Réponses anonymes : aucun nom ne figure dans ce document, les réponses libres "
        "sont publiées sans les noms ni les numéros qu'elles citaient."
    )
    story += [Paragraph("Méthode", styles["h2"]), Paragraph(escape(method), styles["body"])]
    footer = _footer(identity, printed)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def write_survey_report(registry: Registry, survey_id: str, path: Path | str) -> Path:
    """Compute the results and write their report to `path` (atomically). DB worker."""
    from bippop_desk.registry.services.audit_trail import EXPORT, log_event
    from bippop_desk.registry.services.survey_results import survey_results

    results = survey_results(registry, survey_id)
    commune = registry.commune()
    content = survey_report_pdf(results, Identity(commune.name, commune.service_name or "CCAS"))
    target = Path(path)
    with written_atomically(target) as partial:
        partial.write_bytes(content)
    log_event(registry, EXPORT, "survey", "Résultats d'enquête imprimés (PDF)", survey_id)
    return target


def report_file_name(title: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in title).strip("-").lower()
    return f"enquete-{safe[:60]}.pdf"
