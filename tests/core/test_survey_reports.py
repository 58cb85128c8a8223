"""The survey's PDF report (read back with pdftotext, looked at as PNG) and its workbook
of aggregated figures (read back with openpyxl): the figures, the small groups hidden,
no name anywhere, no text that a spreadsheet would run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bippop_desk.registry.store import Registry
from bippop_desk.reports.survey_report import write_survey_report
from bippop_desk.reports.survey_workbook import export_survey_workbook
from tests.core.survey_helpers import run_survey

SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def test_the_pdf_report_shows_the_figures_and_no_name(registry: Registry, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) NON INSTALLÉ")
    survey = run_survey(registry)
    path = write_survey_report(registry, survey, tmp_path / "enquete.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    text = " ".join(text.split())  # titles and cells wrap
    assert "Enquête d'impact — Isolement et aide reçue" in text
    assert "réponses obtenues" in text and "marge d'erreur atteinte" in text
    assert "IC 95 % (Wilson)" in text and "Par quartier" in text
    assert "trop peu de réponses" in text  # the hamlet's few answers: no figure
    assert "de oui (" in text  # the centre's own figure, with its interval
    assert "Mme [nom]" in text
    for name in ("Gisèle", "Odette", "Yvonne", "Durand"):
        assert name not in text
    assert "graine du tirage" in text
    if shutil.which("pdftoppm"):
        prefix = Path(SHOTS or tmp_path) / "survey-report"
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(prefix)], check=True)
        assert list(prefix.parent.glob("survey-report*.png"))


def test_the_workbook_holds_the_aggregated_figures_as_safe_cells(
    registry: Registry, tmp_path: Path
) -> None:
    survey = run_survey(registry)
    path = export_survey_workbook(registry, survey, tmp_path / "enquete.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Synthèse", "Réponses", "Moyennes", "Par quartier", "Méthode"]
    summary = {row[0].value: row[1].value for row in book["Synthèse"].iter_rows(min_row=2)}
    assert summary["Réponses obtenues"] > 0 and 0 < summary["Taux de réponse"] < 1
    answers = list(book["Réponses"].iter_rows(min_row=2, values_only=True))
    recommend = [r for r in answers if r[1] and r[1].startswith("Recommanderiez")]
    assert [r[2] for r in recommend] == ["Oui", "Non"]
    assert recommend[0][3] + recommend[1][3] == summary["Réponses obtenues"]
    assert recommend[0][5] < recommend[0][4] < recommend[0][6]  # the interval around it
    injected = [c for row in book["Réponses"].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]  # fmt: skip
    assert injected and all(c.data_type == "s" and c.quotePrefix for c in injected)
    by_quartier = list(book["Par quartier"].iter_rows(min_row=2, values_only=True))
    hamlet = [r for r in by_quartier if r[2] == "Hameau"]
    assert hamlet and all(r[4] == "trop peu de réponses" for r in hamlet)
    everything = " ".join(
        str(c) for s in book for row in s.iter_rows(values_only=True) for c in row
    )
    for name in ("Gisèle", "Odette", "Durand", "[nom]"):
        assert name not in everything  # aggregated only: no free text at all
