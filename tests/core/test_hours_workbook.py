"""The volunteer-hours workbook, read back with openpyxl and checked against the registry."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from bippop_desk.cli import main
from bippop_desk.registry.services.hours_report import Period, hours_figures
from bippop_desk.registry.services.settings import hourly_rates, set_hourly_rate
from bippop_desk.registry.store import Registry
from bippop_desk.reports.hours_sheets import pseudonym
from bippop_desk.reports.hours_workbook import SHEET_NAMES, write_hours_workbook
from bippop_desk.reports.safe_cells import EXCEL_CELL_LIMIT
from tests.conftest import add_person
from tests.core.test_week import COORDINATOR, add_hours, add_mission, add_volunteer, at

Q1 = Period.quarter(2026, 1)


@pytest.fixture
def activity(registry: Registry) -> dict[str, str]:
    """Q1 2026: 7 net hours over 3 missions, a training, a correction; entries outside."""
    helene = add_person(registry, "Hélène", "Le Goff", address_line="12 rue Solférino")
    marcel = add_person(registry, "Marcel", "Legrand")
    anna = add_volunteer(registry, "Anna", "Zeller")
    bruno = add_volunteer(registry, "Bruno", "Abadie")
    m1 = add_mission(registry, helene, anna, at(dt.date(2026, 1, 15), 14), status="realisee")
    m2 = add_mission(registry, marcel, bruno, at(dt.date(2026, 1, 20), 9), code="acc_courses")
    m3 = add_mission(registry, marcel, anna, at(dt.date(2026, 2, 3), 10), status="realisee")
    first = add_hours(registry, anna, dt.date(2026, 1, 15), 90, mission_id=m1)
    add_hours(
        registry,
        bruno,
        dt.date(2026, 1, 20),
        120,
        code="acc_courses",
        mission_id=m2,
        mileage="12.5",
    )
    add_hours(registry, anna, dt.date(2026, 2, 3), 60, mission_id=m3)
    add_hours(registry, anna, dt.date(2026, 2, 10), 180, code=None, kind="formation")
    add_hours(
        registry, anna, dt.date(2026, 2, 12), -30, code=None, kind="correction", corrects=first
    )
    add_hours(registry, bruno, dt.date(2025, 12, 31), 45)
    add_hours(registry, anna, dt.date(2026, 4, 1), 45)
    return {"anna": anna, "bruno": bruno, "helene": helene, "marcel": marcel}


def export(registry: Registry, tmp_path: Path, **options: Any) -> openpyxl.Workbook:
    path = tmp_path / "heures.xlsx"
    write_hours_workbook(registry, options.pop("period", Q1), path, **options)
    return openpyxl.load_workbook(path)


def rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def find_row(sheet: Any, label: str) -> list[Any]:
    return next(row for row in rows(sheet) if row and row[0] == label)


def all_text(book: openpyxl.Workbook) -> str:
    return "\n".join(
        str(value) for sheet in book for row in rows(sheet) for value in row if value is not None
    )


def test_the_registry_counts_net_hours_missions_people_and_mileage_of_the_period(
    registry: Registry, activity: dict[str, str]
) -> None:
    figures = hours_figures(registry, Q1)
    assert figures.total_minutes == 90 + 120 + 60 + 180 - 30
    assert (figures.missions, figures.beneficiaries, figures.volunteers) == (3, 2, 2)
    assert figures.mileage_km == Decimal("12.5") and figures.entries == 5
    assert [c.key for c in figures.categories] == ["visite", "acc_courses", "formation"]
    jan, feb, march = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
    assert figures.months == [jan, feb, march]
    assert figures.minutes_by == {
        (jan, "visite"): 90,
        (jan, "acc_courses"): 120,
        (feb, "visite"): 30,  # the correction counts under the type of what it corrects
        (feb, "formation"): 180,
    }
    assert (figures.by_month[jan].missions, figures.by_month[feb].beneficiaries) == (2, 1)
    assert [(v.last_name, v.minutes, v.missions, v.mileage_km) for v in figures.per_volunteer] == [
        ("Abadie", 120, 1, Decimal("12.5")),
        ("Zeller", 300, 2, Decimal("0")),
    ]


def test_the_workbook_has_its_five_sheets_and_the_synthesis_holds_the_registrys_hours(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    book = export(registry, tmp_path)
    assert book.sheetnames == list(SHEET_NAMES)
    synthesis = book["Synthèse"]
    assert rows(synthesis)[3] == [
        "Type de mission",
        "janv. 2026",
        "févr. 2026",
        "mars 2026",
        "Total",
    ]
    assert find_row(synthesis, "Visite de convivialité")[:4] == [
        "Visite de convivialité",
        1.5,
        0.5,
        0,
    ]
    assert find_row(synthesis, "Accompagnement courses")[1:4] == [2, 0, 0]
    assert find_row(synthesis, "Formation")[1:4] == [0, 3, 0]
    assert find_row(synthesis, "Interventions")[1:4] == [2, 1, 0]
    assert find_row(synthesis, "Bénéficiaires aidés (personnes distinctes)")[1:5] == [2, 1, 0, 2]
    assert find_row(synthesis, "Bénévoles actifs (personnes distinctes)")[1:5] == [2, 1, 0, 2]


def test_totals_are_real_spreadsheet_formulas(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    book = export(registry, tmp_path)
    synthesis = book["Synthèse"]
    assert find_row(synthesis, "Visite de convivialité")[4] == "=SUM(B5:D5)"
    assert find_row(synthesis, "Total des heures")[1:] == [
        "=SUM(B5:B7)",
        "=SUM(C5:C7)",
        "=SUM(D5:D7)",
        "=SUM(E5:E7)",
    ]
    assert find_row(synthesis, "Interventions")[4] == "=SUM(B11:D11)"
    assert find_row(synthesis, "Valorisation")[1] == "=Valorisation!D8"
    assert find_row(book["Par bénévole"], "Total")[2:] == [
        "=SUM(C2:C3)",
        "=SUM(D2:D3)",
        "=SUM(E2:E3)",
    ]
    assert find_row(book["Valorisation"], "Visite de convivialité")[1:] == [
        "='Synthèse'!E5",
        17.43,
        "=ROUND(B5*C5,2)",
    ]
    assert all(
        cell.data_type == "f"
        for row in ("Total des heures",)
        for cell in next(r for r in synthesis.iter_rows() if r[0].value == row)[1:]
    )


def test_the_per_volunteer_sheet_gives_each_volunteers_hours_missions_and_mileage(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    sheet = export(registry, tmp_path)["Par bénévole"]
    assert rows(sheet)[:3] == [
        ["Nom", "Prénom", "Heures", "Interventions", "Kilomètres"],
        ["Abadie", "Bruno", 2, 1, 12.5],
        ["Zeller", "Anna", 5, 2, 0],
    ]
    assert sheet.tables["ParBenevole"].ref == "A1:E3"


def test_the_detail_has_one_line_per_entry_and_nothing_about_beneficiaries(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    book = export(registry, tmp_path)
    detail = rows(book["Détail"])
    assert detail[0] == ["Date", "Nature", "Type de mission", "Bénévole", "Durée (h)", "Kilomètres"]
    assert detail[1:] == [
        [dt.datetime(2026, 1, 15), "Intervention", "Visite de convivialité", "Zeller Anna", 1.5, 0],
        [
            dt.datetime(2026, 1, 20),
            "Intervention",
            "Accompagnement courses",
            "Abadie Bruno",
            2,
            12.5,
        ],
        [dt.datetime(2026, 2, 3), "Intervention", "Visite de convivialité", "Zeller Anna", 1, 0],
        [dt.datetime(2026, 2, 10), "Formation", "Formation", "Zeller Anna", 3, 0],
        [dt.datetime(2026, 2, 12), "Correction", "Visite de convivialité", "Zeller Anna", -0.5, 0],
    ]
    text = all_text(book)
    for private in ("Hélène", "Le Goff", "Solférino", "Marcel", "Legrand"):
        assert private not in text


def test_pseudonymised_workbooks_show_stable_codes_and_no_volunteer_names(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    first = export(registry, tmp_path, pseudonymise=True)
    again = export(registry, tmp_path, pseudonymise=True, period=Period.year(2026))
    codes = [row[0] for row in rows(first["Par bénévole"])[1:3]]
    assert all(code.startswith("BV-") and len(code) == 11 for code in codes)
    assert set(codes) == {row[0] for row in rows(again["Par bénévole"])[1:3]}
    assert codes == sorted(codes)  # not in the (telling) alphabetical order of names
    assert {row[3] for row in rows(first["Détail"])[1:]} == set(codes)
    for book in (first, again):
        text = all_text(book)
        for name in ("Anna", "Zeller", "Bruno", "Abadie"):
            assert name not in text
    assert find_row(first["Paramètres"], "Bénévoles")[1] == "codes pseudonymes stables"
    # A code is not the volunteer's id in disguise: without the local key it differs.
    assert pseudonym(b"other key", activity["anna"]) not in codes


def test_the_valuation_uses_the_communes_hourly_rates(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    registry.actor = COORDINATOR
    set_hourly_rate(registry, "acc_courses", Decimal("21.10"))
    sheet = export(registry, tmp_path)["Valorisation"]
    assert find_row(sheet, "Accompagnement courses")[2] == 21.10
    assert find_row(sheet, "Formation")[2] == 17.43
    figures = hours_figures(registry, Q1)
    lines = {line.category.key: line.value for line in figures.valuation(hourly_rates(registry))}
    assert lines == {
        "visite": Decimal("34.86"),  # 2 h × 17.43
        "acc_courses": Decimal("42.20"),
        "formation": Decimal("52.29"),
    }
    assert figures.total_value(hourly_rates(registry)) == Decimal("129.35")


def test_the_parameters_say_which_commune_period_and_when_and_by_whom(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    moment = dt.datetime(2026, 4, 2, 10, 30)
    sheet = export(registry, tmp_path, generated_by="Karim Benali", generated_at=moment)[
        "Paramètres"
    ]
    values = {row[0]: row[1] for row in rows(sheet) if row and row[0]}
    assert values["Commune"] == "Compiègne" and values["Code INSEE"] == "60159"
    assert values["Période"] == "1er trimestre 2026"
    assert values["Premier jour"] == dt.datetime(2026, 1, 1)
    assert values["Dernier jour"] == dt.datetime(2026, 3, 31)
    assert values["Généré le"] == moment and values["Généré par"] == "Karim Benali"
    assert values["Saisies d'heures"] == 5


def test_sheets_have_frozen_headers_widths_french_formats_and_filters(
    registry: Registry, activity: dict[str, str], tmp_path: Path
) -> None:
    book = export(registry, tmp_path)
    assert book["Synthèse"].freeze_panes == "B5"
    assert book["Détail"].freeze_panes == "A2" and book["Par bénévole"].freeze_panes == "A2"
    detail = book["Détail"]
    assert detail.column_dimensions["C"].width == 36
    assert detail["A2"].number_format == "DD/MM/YYYY"
    assert detail["E2"].number_format == "#,##0.00" and detail["F2"].number_format == "#,##0.0"
    assert book["Valorisation"]["D5"].number_format == '#,##0.00\\ "€"'
    assert detail.tables["Detail"].ref == "A1:F6"


HOSTILE = [
    '=HYPERLINK("http://evil.example","clic")',
    "+33612345678",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "＝1+1",
    "محمد العلي",
    "שרה כהן",
]


def test_hostile_names_are_stored_as_text_never_as_formulas(
    registry: Registry, tmp_path: Path
) -> None:
    volunteers = [add_volunteer(registry, "X", name) for name in HOSTILE]
    long_name = add_volunteer(registry, "Y" * 40_000, "LongNom")
    # Control characters no service lets in, and none would send (registry/outgoing.py),
    # held all the same by an older file: written straight into the registry.
    with registry.remote_transaction() as conn:
        conn.execute(text("UPDATE volunteer SET last_name = :n WHERE id = :i"),
                     {"n": "Long\x00\x07Nom", "i": long_name})  # fmt: skip
    for volunteer in [*volunteers, long_name]:
        add_hours(registry, volunteer, dt.date(2026, 1, 5), 60)
    path = tmp_path / "heures.xlsx"
    write_hours_workbook(registry, Q1, path)
    book = openpyxl.load_workbook(path)
    by_name = {row[0].value: row[0] for row in book["Par bénévole"].iter_rows(min_row=2)}
    for name in HOSTILE:
        stored = name.replace("\r", "\n")  # XML turns a raw CR into a line feed on reading
        cell = by_name.get(name) or by_name[stored]
        assert cell.data_type == "s", name
    long_cell = by_name["LongNom"]  # control characters XML cannot hold are dropped
    assert long_cell.data_type == "s"
    first_names = [row[1] for row in rows(book["Par bénévole"])[1:] if row[0] == "LongNom"]
    assert len(first_names[0]) == EXCEL_CELL_LIMIT and first_names[0].endswith("…")
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )
    formulas = [chunk.split("</f>")[0] for chunk in xml.split("<f>")[1:]]
    assert formulas  # the totals, and nothing that came from a name
    for name in HOSTILE:
        assert not any(name.strip("=\t\r+@-") in formula for formula in formulas), name


def test_an_empty_period_gives_a_valid_workbook_with_zero_totals(
    registry: Registry, tmp_path: Path
) -> None:
    book = export(registry, tmp_path, period=Period.month(2026, 7))
    assert find_row(book["Synthèse"], "Total des heures")[1:] == ["=0", "=0"]
    assert rows(book["Détail"])[1] == ["Aucune saisie d'heures sur la période.", *[None] * 5]
    assert find_row(book["Par bénévole"], "Total")[2:] == ["=0", "=0", "=0"]


def test_the_export_hours_command_writes_the_periods_workbook(
    registry: Registry, activity: dict[str, str], db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "heures-2026.xlsx"
    args = ["export-hours", "--db", str(db_path), "--from", "2026-01-01", "--to", "2026-12-31"]
    assert main([*args, "--pseudonymise", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert find_row(book["Paramètres"], "Période")[1] == "année 2026"
    assert "Zeller" not in all_text(book)
    assert len(rows(book["Détail"])) == 1 + 6
    assert main(["export-hours", "--db", str(db_path), "--month", "2026-13", "-o", str(out)]) == 2
    assert main(["export-hours", "--db", str(db_path), "-o", str(out)]) == 2
