"""The import dialog: the file checked on the worker, the mapping shown and changeable,
rejected rows and duplicates listed, nothing written until "Importer"."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.import_dialog import ImportDialog
from tests.conftest import add_person
from tests.core.import_files import PEOPLE, messy_workbook
from tests.core.test_import import COORDINATOR

SHOTS = os.environ.get("BIPPOP_SHOTS", "")


def count(registry: Registry) -> int:
    with registry.session() as session:
        return int(session.scalar(select(func.count()).select_from(Beneficiary)) or 0)


def checked_dialog(
    qtbot: QtBot, context: AppContext, registry: Registry, path: Path
) -> ImportDialog:
    context.set_registry(registry, "Compiègne")
    context.set_actor(COORDINATOR)
    dialog = ImportDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose_file(str(path))
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10000)
    return dialog


def test_the_preview_shows_mapping_rejections_and_duplicates_then_imports(
    qtbot: QtBot, context: AppContext, registry: Registry, tmp_path: Path
) -> None:
    add_person(registry, "Jean", "Dupont")  # a possible duplicate of the file's first row
    dialog = checked_dialog(qtbot, context, registry, messy_workbook(tmp_path / "liste.xlsx"))
    assert dialog.mapping_combo(0).currentText() == "Nom et prénom"
    assert dialog.mapping_combo(1).currentText() == "Date de naissance"
    assert dialog.rejected_model.rowCount() == 3
    assert dialog.rejected_model.item(0, 2).text() == "Date impossible : « 31/02/1950 »."
    assert dialog.duplicates_model.rowCount() == 1
    assert "4 bénéficiaires à créer" in dialog.summary.text()
    assert count(registry) == 1  # nothing written by the preview
    dialog.window().grab().save(str(tmp_path / "import.png"))
    dialog.include_possible.setChecked(True)
    assert "5 bénéficiaires à créer" in dialog.summary.text()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.import_result is not None, timeout=10000)
    assert count(registry) == 1 + len(PEOPLE)
    assert dialog.summary.text().startswith("Import terminé : 5 fiche(s)")
    dialog._show_summary()
    assert not dialog.import_button.isEnabled()  # the same file cannot go in twice


def test_ignoring_a_column_rechecks_the_file(
    qtbot: QtBot, context: AppContext, registry: Registry, tmp_path: Path
) -> None:
    dialog = checked_dialog(qtbot, context, registry, messy_workbook(tmp_path / "liste.xlsx"))
    first = dialog.plan
    dialog.mapping_combo(1).setCurrentIndex(0)  # "Né(e) le": ne pas importer
    qtbot.waitUntil(lambda: dialog.plan is not first, timeout=10000)
    assert dialog.plan is not None and 1 not in dialog.plan.mapping
    # Without dates, the impossible date no longer rejects its row.
    assert dialog.rejected_model.rowCount() == 2


def test_a_file_without_a_header_says_so_in_french(
    qtbot: QtBot, context: AppContext, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "vide.csv"
    path.write_text("Ville;Code postal\nCompiègne;60200\n", encoding="utf-8")
    context.set_registry(registry, "Compiègne")
    dialog = ImportDialog(context)
    qtbot.addWidget(dialog)
    dialog.choose_file(str(path))
    qtbot.waitUntil(lambda: "Aucune ligne d'en-tête" in dialog.summary.text(), timeout=10000)
    assert not dialog.import_button.isEnabled()


def test_a_birth_year_alone_is_a_remark_in_the_report_not_a_refusal(
    qtbot: QtBot, context: AppContext, registry: Registry, tmp_path: Path
) -> None:
    source = tmp_path / "liste.csv"
    source.write_text("Nom;Prénom;Date de naissance\nDurand;Jeanne;1941\n", encoding="utf-8")
    dialog = checked_dialog(qtbot, context, registry, source)
    assert dialog.rejected_model.rowCount() == 0
    assert dialog.warnings_model.rowCount() == 1
    assert dialog.warnings_model.item(0, 1).text() == "Jeanne Durand"
    assert "« 1941 »" in dialog.warnings_model.item(0, 2).text()
    assert dialog.tabs.tabText(4) == "&5 Remarques (1)"
    assert "1 bénéficiaires à créer" in dialog.summary.text()
    dialog.tabs.setCurrentIndex(4)
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "import-birth-year.png"))
