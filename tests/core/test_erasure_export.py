"""A person's data on request: one export with everything, JSON and PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.models import AuditEvent, RegisterEntry
from bippop_desk.registry.services.person_export import person_data, write_json
from bippop_desk.registry.store import Registry
from bippop_desk.reports.person_data import write_person_pdf
from tests.conftest import SECRETARY
from tests.core.register_helpers import ADMIN, REGISTRAR, add_staff, registered


def test_the_export_holds_everything_about_the_person_and_is_journaled(
    registry: Registry, tmp_path: Path
) -> None:
    add_staff(registry, ADMIN)
    add_staff(registry, REGISTRAR, register=True)
    entry = registered(registry, "Hélène", "Export")
    with registry.session() as session:
        person = session.get(RegisterEntry, entry).beneficiary_id  # type: ignore[union-attr]
    registry.actor = ADMIN
    data = person_data(registry, person)
    assert data["person"]["last_name"] == "Export" and len(data["register"]) == 1
    assert data["journal"] and "search_phones" not in data["person"]
    path = write_json(data, tmp_path / "x.json")
    assert json.loads(path.read_text("utf-8"))["person"]["first_name"] == "Hélène"
    pdf = write_person_pdf(data, tmp_path / "x.pdf", "Compiègne")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Hélène" in text and "Registre des personnes vulnérables" in text
    with registry.session() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    registry.actor = SECRETARY
    with pytest.raises(PermissionDeniedError):
        person_data(registry, person)
