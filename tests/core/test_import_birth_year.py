"""A mairie list whose birth date column gives a year alone ("1941", as many old lists
do): the person is imported, the date left empty, the year noted in the record, and the
import report says so for that row."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from bippop_desk.cli import main
from bippop_desk.registry.changes import Actor
from bippop_desk.registry.importing import apply_import, prepare_import
from bippop_desk.registry.models import Beneficiary, Volunteer
from bippop_desk.registry.store import Registry

COORDINATOR = Actor("karim", "Karim Benali", "coordinateur")


def csv_list(path: Path, body: str) -> Path:
    path.write_text("Nom;Prénom;Date de naissance;Téléphone\n" + body, encoding="utf-8")
    return path


def test_a_birth_year_alone_keeps_the_person_with_the_year_noted(
    registry: Registry, tmp_path: Path
) -> None:
    source = csv_list(
        tmp_path / "liste.csv",
        "Durand;Jeanne;1941;06 12 34 56 78\nMartin;Paul;12/03/1938;\nPetit;Lucie;19411;\n",
    )
    plan = prepare_import(registry, source, "beneficiaries")
    assert [r.line for r in plan.rows] == [2, 3]
    assert [(r.line, r.reason) for r in plan.rejected] == [
        (4, "« 19411 » n'est pas une date (exemple : 12/03/1938).")
    ]
    assert [(w.line, w.name) for w in plan.warnings] == [(2, "Jeanne Durand")]
    assert "1941" in plan.warnings[0].message and "la date reste vide" in plan.warnings[0].message
    assert "1 remarque(s)" in plan.summary()
    registry.actor = COORDINATOR
    assert apply_import(registry, plan).created == 2
    with registry.session() as session:
        jeanne = session.scalars(
            select(Beneficiary).where(Beneficiary.first_name == "Jeanne")
        ).one()
        assert jeanne.birth_date is None and jeanne.phone == "+33612345678"
        assert "Année de naissance : 1941" in jeanne.notes


def test_a_year_typed_as_a_number_in_a_workbook_is_a_year_not_a_1905_date(
    registry: Registry, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Prénom", "Date de naissance"])
    sheet.append(["Bernard", "Odette", 1941])  # 1941 as an Excel serial: 24/04/1905
    book.save(tmp_path / "liste.xlsx")
    plan = prepare_import(registry, tmp_path / "liste.xlsx", "volunteers")
    assert plan.rejected == [] and len(plan.rows) == 1
    assert plan.rows[0].values["birth_date"] is None
    assert [w.name for w in plan.warnings] == ["Odette Bernard"]
    registry.actor = COORDINATOR
    apply_import(registry, plan)
    with registry.session() as session:
        odette = session.scalars(select(Volunteer)).one()
        assert odette.birth_date is None and "1941" in odette.notes


def test_the_command_line_report_names_the_row_with_a_year_alone(
    registry: Registry, db_path: Path, tmp_path: Path, capsys
) -> None:
    registry.close()
    source = csv_list(tmp_path / "liste.csv", "Durand;Jeanne;1941;\n")
    code = main(["import", "beneficiaries", str(source), "--dry-run", "--db", str(db_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Ligne 2 (Jeanne Durand) : Date de naissance « 1941 »" in out
