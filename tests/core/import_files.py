"""Spreadsheets shaped like the ones town halls really keep, made by the tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

# (NOM Prénom, birth date cell, phone cell, second phone, address, quartier)
PEOPLE = [
    ("DUPONT Jean", dt.date(1938, 3, 12), "06 12 34 56 78", "", "3 rue des Lilas", "Centre"),
    ("LE GOFF Marie-Anne", "04/07/1941", 612345679.0, "03.44.20.10.10", "8 place du Marché", None),
    ("Hélène MARTIN", "1945-11-30", "+33 6 12 34 56 80", "", "12 avenue Foch", "Nord"),
    ("D'ALEMBERT Lucien", "12 mars 1936", "0033612345681", "", "1 impasse Verte", None),
    ("BERNARD Œdipe", 14000.0, "", "", "2 rue Haute", "Sud"),  # an unformatted date cell
]
BAD = [
    ("FAUX Février", "31/02/1950", "06 12 34 56 90", "", "", ""),  # impossible date
    ("NUMERO Mauvais", "01/01/1950", "06 12", "", "", ""),  # a phone too short
    ("", "01/01/1950", "06 12 34 56 91", "", "", ""),  # no name
]


def messy_workbook(path: Path, people: list[tuple[object, ...]] | None = None) -> Path:
    """Two title rows (one merged across), an empty row, a header with "Téléphone"
    merged over two columns, a quartier merged down two rows, a totals line at the end."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "CCAS de Compiègne — Liste des personnes isolées"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:F1")
    sheet["A2"] = f"Mise à jour le {dt.date(2026, 11, 3):%d/%m/%Y}"
    sheet.append([])
    sheet.append(["NOM Prénom", "Né(e) le", "Téléphone", None, "Adresse", "Quartier"])
    sheet.merge_cells("C4:D4")
    for row in people if people is not None else PEOPLE + BAD:
        sheet.append(list(row))
    rows = sheet.max_row
    sheet.merge_cells(start_row=5, start_column=6, end_row=6, end_column=6)  # "Centre" x2
    sheet.cell(row=rows + 2, column=1, value="")
    book.save(path)
    return path


def cp1252_csv(path: Path) -> Path:
    """What Excel for Windows writes: Windows-1252, ';', dates as text, a title line."""
    lines = [
        "Liste des bénévoles;;;;",
        "Nom;Prénom;Tél.;Date de naissance;Véhicule",
        "GARNIER;Élodie;06 11 22 33 44;05/06/1980;oui",
        "Lefèvre;Noël;0611223345;1975-02-28;non",
        "Mbappé;Jérôme;;29/02/1981;",  # 1981 is not a leap year
        "Œuvray;Cécile;+33 6 11 22 33 46;17/09/72;X",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def big_workbook(path: Path, count: int) -> Path:
    """`count` beneficiaries, write-only (fast to build), one title row."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Bénéficiaires")
    sheet.append(["Fichier des bénéficiaires"])
    sheet.append(["Nom", "Prénom", "Date de naissance", "Téléphone", "Adresse", "Code postal"])
    for index in range(count):
        sheet.append(
            [
                f"Nom{chr(65 + index % 26)}{chr(65 + index // 26 % 26)}".replace("Nom", "Famille"),
                f"Prénom{chr(97 + index // 676 % 26)}",
                dt.date(1930 + index % 50, 1 + index % 12, 1 + index % 28),
                f"06{index:08d}",
                f"{index % 200 + 1} rue de la République",
                "60200",
            ]
        )
    book.save(path)
    return path
