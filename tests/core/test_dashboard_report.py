"""The annual activity report: a PDF with the dashboard's figures and charts, no names."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import Beneficiary, Volunteer
from bippop_desk.registry.services.dashboard import dashboard, fr_euros, fr_number
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.services.settings import COMMUNE_ADDRESS, set_setting
from bippop_desk.registry.store import Registry
from bippop_desk.reports.annual_report import write_annual_report
from bippop_desk.reports.pdf_render import render_pages
from tests.conftest import SECRETARY


def test_the_annual_report_prints_the_dashboards_figures_and_no_names(
    db_path: Path, tmp_path: Path
) -> None:
    registry = Registry(db_path, SECRETARY)
    generate_demo(registry, 300)
    set_setting(registry, COMMUNE_ADDRESS, "Place de l'Hôtel de Ville, 60200 Compiègne")
    period = Period.year(local_today().year)
    path = write_annual_report(registry, period, tmp_path / "rapport.pdf")
    assert not list(tmp_path.glob("*.partial"))
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    board = dashboard(registry, period)
    flat = " ".join(text.split())
    for expected in (
        f"Rapport d'activité — année {period.start.year}",
        "CCAS de Compiègne",
        "Place de l'Hôtel de Ville",
        fr_number(board.hours_total, 1),
        fr_euros(board.value),
        f"Sans accès à internet : {fr_number(board.people_offline)}",
        board.missions_by_type[0].label,
    ):
        assert " ".join(expected.split()) in flat, expected
    with registry.session() as session:
        names = session.execute(select(Volunteer.last_name)).scalars().all()
        names += session.execute(select(Beneficiary.last_name)).scalars().all()
    assert not [name for name in names if len(name) > 3 and f" {name} " in f" {flat} "]
    pages = render_pages(path.read_bytes(), dpi=40)
    assert len(pages) == 2


def test_the_activity_report_command_writes_the_years_pdf(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bippop_desk.cli import main

    registry = Registry(db_path, SECRETARY)
    generate_demo(registry, 100)
    year = local_today().year
    target = tmp_path / "rapport.pdf"
    assert (
        main(["activity-report", "--year", str(year), "-o", str(target), "--db", str(db_path)]) == 0
    )
    assert f"Rapport d'activité (année {year}) écrit dans" in capsys.readouterr().out
    assert "Chiffres clés" in PdfReader(target).pages[0].extract_text()
    assert main(["activity-report", "-o", str(target), "--db", str(db_path)]) == 2  # no period
    assert "Indiquez la période" in capsys.readouterr().err
