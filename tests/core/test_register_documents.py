"""The register's documents read back: acknowledgement letter, préfet export (only
during an alert, formulas kept as text), call sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AuditEvent
from bippop_desk.registry.services.campaigns import call_list, get_campaign, record_alert
from bippop_desk.registry.services.register import entry_detail, prefet_export_rows
from bippop_desk.registry.store import Registry
from bippop_desk.reports.call_sheet import write_call_sheet
from bippop_desk.reports.register_export import write_prefet_pdf, write_prefet_xlsx
from bippop_desk.reports.register_letter import write_letter
from tests.core.register_helpers import REGISTRAR, add_staff, registered


def _text(path: Path) -> str:
    # Words joined by single spaces: where a line breaks depends on the date printed.
    return " ".join("".join(page.extract_text() for page in PdfReader(path).pages).split())


@pytest.fixture
def clerk(registry: Registry) -> Registry:
    add_staff(registry, REGISTRAR, register=True)
    registry.actor = REGISTRAR
    return registry


def test_the_acknowledgement_letter_names_the_person_and_her_rights(
    clerk: Registry, tmp_path: Path
) -> None:
    entry = registered(
        clerk,
        "Hélène",
        "Lettre",
        civility="Mme",
        address_line="2 rue Solférino",
        postal_code="60200",
        city="Compiègne",
    )
    path = write_letter(entry_detail(clerk, entry), clerk.commune(), tmp_path / "ar.pdf")
    text = _text(path)
    assert "Hélène Lettre" in text and "2 rue Solférino" in text
    assert "Madame" in text and "radié" in text and "65 ans ou plus" in text


def test_the_prefet_export_needs_an_active_alert_and_is_journaled(
    clerk: Registry, tmp_path: Path
) -> None:
    registered(clerk, '=HYPERLINK("http://x")', "Formule", alone=True)
    registered(clerk, "Jean", "Normal")
    with pytest.raises(ValidationError, match="alerte"):
        prefet_export_rows(clerk, "none")
    alert_id = record_alert(clerk, "canicule", local_today())
    rows = prefet_export_rows(clerk, alert_id)
    alert = get_campaign(clerk, alert_id)
    xlsx = write_prefet_xlsx(rows, alert, "Compiègne", tmp_path / "prefet.xlsx")
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert values[0][0] == 'Formule =HYPERLINK("http://x")'
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [v[9] for v in values] == ["oui", "non"]
    pdf = write_prefet_pdf(rows, alert, "Compiègne", tmp_path / "prefet.pdf")
    assert "Normal Jean" in _text(pdf)
    with clerk.session() as session:
        exports = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exports) == 1 and exports[0].record_id == alert_id


def test_a_name_starting_with_equals_stays_text_in_the_export(
    clerk: Registry, tmp_path: Path
) -> None:
    registered(clerk, "Paul", "=SOMME")
    alert_id = record_alert(clerk, "grand_froid", local_today())
    rows = prefet_export_rows(clerk, alert_id)
    xlsx = write_prefet_xlsx(rows, get_campaign(clerk, alert_id), "C", tmp_path / "p.xlsx")
    cell = load_workbook(xlsx).active.cell(row=4, column=1)  # type: ignore[union-attr]
    assert cell.value == "=SOMME Paul" and cell.data_type == "s"


def test_the_call_sheet_lists_the_people_to_call_first_to_last(
    clerk: Registry, tmp_path: Path
) -> None:
    registered(clerk, "Anne", "Entouree")
    registered(clerk, "Bruno", "Isole", alone=True, contact=False)
    alert_id = record_alert(clerk, "canicule", local_today())
    path = write_call_sheet(
        call_list(clerk, alert_id),
        get_campaign(clerk, alert_id),
        "Compiègne",
        tmp_path / "appels.pdf",
    )
    text = _text(path)
    assert "2 appel(s) à passer" in text
    assert text.index("Isole Bruno") < text.index("Entouree Anne")
