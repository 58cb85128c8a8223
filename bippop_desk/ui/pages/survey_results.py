"""The survey's results on screen (the figures of services/survey_results.py, the same
wording as the PDF) and the two documents: the PDF report and the xlsx of aggregated
figures. Reading the results journals that someone saw the free texts."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.services.survey_results import MIN_GROUP, TOO_FEW, SurveyResults
from bippop_desk.registry.services.surveys import SurveyView
from bippop_desk.reports import survey_format as fmt
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.messages import error_text


def results_html(results: SurveyResults) -> str:
    parts = [
        f"<p><b>{results.respondents}</b> réponses sur {results.asked} personnes interrogées "
        f"— taux de réponse <b>{fmt.rate_text(results)}</b> — marge d'erreur atteinte "
        f"<b>{fmt.margin_text(results)}</b> à 95 % (visée : ± "
        f"{fmt.number(float(results.survey.target_margin))} points) — population "
        f"{results.population}.</p>"
    ]
    for number, question in enumerate(results.questions, start=1):
        q = question.question
        parts.append(f"<h3>{number}. {escape(q.text)}</h3>")
        counted = f"{question.answered} réponses"
        if question.skipped:
            counted += f", {question.skipped} sans réponse"
        parts.append(f"<p><i>{escape(q.kind_label)} — {counted}</i></p>")
        if question.hidden:
            parts.append(f"<p><b>{TOO_FEW}</b> (moins de {MIN_GROUP} personnes).</p>")
            continue
        if question.shares:
            rows = "".join(
                f"<tr><td>{escape(s.label)}</td><td align=right>{s.count}</td>"
                f"<td align=right>{fmt.percent(s.interval.estimate)}</td>"
                f"<td>{fmt.share_interval(s.interval)}</td></tr>"
                for s in question.shares
            )
            parts.append(
                "<table border=1 cellspacing=0 cellpadding=3><tr><th>Réponse</th>"
                f"<th>Personnes</th><th>Part</th><th>IC 95 % (Wilson)</th></tr>{rows}</table>"
            )
        if question.mean is not None:
            median = (
                f" — médiane {fmt.number(question.median)}" if question.median is not None else ""
            )
            parts.append(f"<p>Moyenne : {fmt.mean_text(question.mean)}{median}</p>")
        for text in question.texts:
            parts.append(f"<p>« {escape(text)} »</p>")
        if question.groups:
            rows = "".join(
                f"<tr><td>{escape(fmt.group_name(g.name))}</td><td align=right>{g.answered}</td>"
                f"<td>{escape(fmt.group_text(question, g))}</td></tr>"
                for g in question.groups
            )
            parts.append(
                "<p>Par quartier :</p><table border=1 cellspacing=0 cellpadding=3><tr>"
                f"<th>Quartier</th><th>Réponses</th><th>Résultat</th></tr>{rows}</table>"
            )
    return "".join(parts)


class ResultsPanel(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.survey: SurveyView | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.refresh = QPushButton("&Actualiser")
        self.pdf = QPushButton("Rapport &PDF…")
        self.xlsx = QPushButton("Classeur des chiffres (&xlsx)…")
        for button in (self.refresh, self.pdf, self.xlsx):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.view = QTextBrowser()
        self.view.setObjectName("survey_results")
        layout.addWidget(self.view, 1)
        self.refresh.clicked.connect(self.reload)
        self.pdf.clicked.connect(self.export_pdf)
        self.xlsx.clicked.connect(self.export_xlsx)

    def set_survey(self, survey: SurveyView | None) -> None:
        self.survey = survey
        self.view.clear()
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        from bippop_desk.registry.services.survey_results import survey_results

        survey = self.survey
        if survey is None:
            return
        self.status.setText("Calcul des résultats…")
        self.context.read(lambda r: survey_results(r, survey.id), self._show, self._failed)

    def _show(self, results: SurveyResults) -> None:
        self.status.setText("Réponses anonymes : aucun nom, un groupe de moins de "
                            f"{MIN_GROUP} personnes n'est jamais montré.")  # fmt: skip
        self.view.setHtml(results_html(results))

    def _failed(self, error: BaseException) -> None:
        self.view.clear()
        self.status.setText(error_text(error))

    def _export(self, title: str, suffix: str, work: Callable[[Any, str, Path], Path]) -> None:
        survey = self.survey
        if survey is None:
            return
        from bippop_desk.reports.survey_report import report_file_name

        default = str(Path.home() / report_file_name(survey.title)).replace(".pdf", suffix)
        path, _ = QFileDialog.getSaveFileName(self, title, default, f"*{suffix}")
        if not path:
            return
        self.context.read(
            lambda r: work(r, survey.id, Path(path)),
            lambda p: self.status.setText(f"Enregistré : {p}"),
            lambda e: self._warn(title, e),
        )

    def _warn(self, title: str, error: BaseException) -> None:
        QMessageBox.warning(self, title, error_text(error))

    def export_pdf(self) -> None:
        from bippop_desk.reports.survey_report import write_survey_report

        self._export("Rapport de l'enquête", ".pdf", write_survey_report)

    def export_xlsx(self) -> None:
        from bippop_desk.reports.survey_workbook import export_survey_workbook

        self._export("Chiffres de l'enquête", ".xlsx", export_survey_workbook)
