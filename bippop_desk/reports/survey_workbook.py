"""The survey's aggregated figures (.xlsx): Synthèse, Réponses (every count and share
with its Wilson interval), Moyennes, Par quartier, Méthode — no name, no free text, no
group under 5 people (the rules of services/survey_results.py). Every text written
through safe_cells (a questionnaire's text is the staff's own typing: "=…" stays text).

Also the list of one-time links to send (name, e-mail, link), written once when the
links are made: it is the only copy of the links.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.services.survey_links import Link
from bippop_desk.registry.services.survey_results import (
    MIN_COMPARE,
    MIN_GROUP,
    TOO_FEW,
    SurveyResults,
)
from bippop_desk.registry.services.surveys import AUDIENCES
from bippop_desk.reports import survey_format as fmt
from bippop_desk.reports import xlsx_style as xs
from bippop_desk.reports.safe_cells import text_cell

FMT_SHARE = "0.0%"
FMT_MEAN = "0.00"


def _sheet(book: Workbook, title: str, widths: Iterable[int]) -> Any:
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    return sheet


def _header(sheet: Any, *names: str) -> None:
    sheet.append([xs.styled(sheet, name, xs.header) for name in names])


def _share(sheet: Any, value: float) -> Any:
    return xs.styled(sheet, round(value, 4), xs.number(FMT_SHARE))


def write_survey_workbook(results: SurveyResults, commune: str, path: Path | str) -> Path:
    survey = results.survey
    book = Workbook(write_only=True)
    t = text_cell
    summary = _sheet(book, "Synthèse", (38, 60))
    summary.append([xs.styled(summary, f"Enquête — {survey.title}"[:200], xs.title)])
    for label, value in (
        ("Commune", commune),
        ("Personnes interrogées", AUDIENCES.get(survey.audience, survey.audience)),
        ("Période", f"du {short_date(survey.period_start)} au {short_date(survey.period_end)}"),
        ("Version du questionnaire", str(survey.version)),
    ):
        summary.append([label, t(summary, value)])
    summary.append(["Population", results.population])
    summary.append(["Personnes interrogées (échantillon)", results.asked])
    summary.append(["Réponses obtenues", results.respondents])
    rate = results.response_rate
    summary.append(["Taux de réponse", _share(summary, rate) if rate is not None else "—"])
    margin = results.margin
    summary.append(["Marge d'erreur atteinte (points, 95 %)",
                    round(margin * 100, 2) if margin is not None else "—"])  # fmt: skip
    summary.append(["Marge d'erreur visée (points)", float(survey.target_margin)])
    if survey.seed:
        summary.append(["Graine du tirage", survey.seed])

    answers = _sheet(book, "Réponses", (8, 50, 40, 12, 10, 10, 10))
    _header(
        answers, "N°", "Question", "Réponse", "Personnes", "Part", "IC 95 % bas", "IC 95 % haut"
    )
    means = _sheet(book, "Moyennes", (8, 50, 12, 10, 12, 12, 10))
    _header(
        means, "N°", "Question", "Réponses", "Moyenne", "IC 95 % bas", "IC 95 % haut", "Médiane"
    )
    groups = _sheet(book, "Par quartier", (8, 50, 26, 12, 60))
    _header(groups, "N°", "Question", "Quartier", "Réponses", "Résultat")
    for number, question in enumerate(results.questions, start=1):
        text = t(answers, question.question.text)
        if question.hidden:
            answers.append([number, text, TOO_FEW, question.answered])
            continue
        for share in question.shares:
            answers.append([
                number, t(answers, question.question.text), t(answers, share.label), share.count,
                _share(answers, share.interval.estimate), _share(answers, share.interval.low),
                _share(answers, share.interval.high),
            ])  # fmt: skip
        if question.mean is not None:
            mean = question.mean
            means.append([
                number, t(means, question.question.text), question.answered,
                xs.styled(means, round(mean.estimate, 3), xs.number(FMT_MEAN)),
                xs.styled(means, round(mean.low, 3), xs.number(FMT_MEAN)),
                xs.styled(means, round(mean.high, 3), xs.number(FMT_MEAN)),
                question.median if question.median is not None else "",
            ])  # fmt: skip
        for group in question.groups:
            groups.append([
                number, t(groups, question.question.text), t(groups, fmt.group_name(group.name)),
                group.answered, t(groups, fmt.group_text(question, group)),
            ])  # fmt: skip

    method = _sheet(book, "Méthode", (110,))
    for line in (
        "Proportions : intervalle de confiance à 95 % de Wilson.",
        "Moyennes : intervalle de confiance à 95 % (loi de Student).",
        "Marge d'erreur atteinte : proportion de 50 %, correction de population finie.",
        f"Un groupe de moins de {MIN_GROUP} personnes n'est jamais montré ({TOO_FEW}).",
        f"Un quartier n'est comparé qu'à partir de {MIN_COMPARE} réponses.",
        "Aucun nom ni aucune réponse libre dans ce classeur : chiffres agrégés seulement.",
    ):
        method.append([line])
    target = Path(path)
    with written_atomically(target) as partial:
        book.save(partial)
    return target


def write_links_workbook(links: list[Link], title: str, path: Path | str) -> Path:
    """The links to send, one line per person (a mail merge reads it as it is)."""
    book = Workbook(write_only=True)
    sheet = _sheet(book, "Liens", (32, 34, 110))
    sheet.append([xs.styled(sheet, f"Enquête en ligne — {title}"[:200], xs.title)])
    sheet.append([text_cell(sheet, "Chaque lien ne sert qu'une fois ; ne le transmettez qu'à "
                                   "la personne nommée.")])  # fmt: skip
    _header(sheet, "Personne", "E-mail", "Lien")
    for link in links:
        sheet.append([text_cell(sheet, link.name), text_cell(sheet, link.email),
                      text_cell(sheet, link.url)])  # fmt: skip
    target = Path(path)
    with written_atomically(target) as partial:
        book.save(partial)
    return target


def export_survey_workbook(registry: Any, survey_id: str, path: Path | str) -> Path:
    """Compute the results and write their workbook (journaled as an export). DB worker."""
    from bippop_desk.registry.services.audit_trail import EXPORT, log_event
    from bippop_desk.registry.services.survey_results import survey_results

    results = survey_results(registry, survey_id)
    target = write_survey_workbook(results, registry.commune().name, path)
    log_event(registry, EXPORT, "survey", "Résultats d'enquête exportés (xlsx)", survey_id)
    return target
