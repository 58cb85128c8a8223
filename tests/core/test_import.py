"""Importing people from messy spreadsheets: title rows, merged cells, "NOM Prénom",
phones and dates in any shape, Windows-1252 CSV; a French reason for every rejected
row; duplicates shown; all or nothing; the same file twice creates nothing new."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bippop_desk.cli import main
from bippop_desk.registry.changes import Actor
from bippop_desk.registry.errors import PermissionDeniedError, ValidationError
from bippop_desk.registry.importing import apply_import, prepare_import
from bippop_desk.registry.importing.readers import csv_rows, decode_text
from bippop_desk.registry.models import (
    AuditEvent,
    Beneficiary,
    ImportBatch,
    OutboxEntry,
    Volunteer,
)
from bippop_desk.registry.search import search_people
from bippop_desk.registry.store import Registry
from tests.conftest import add_person
from tests.core.import_files import PEOPLE, big_workbook, cp1252_csv, messy_workbook

COORDINATOR = Actor("karim", "Karim Benali", "coordinateur")


def people(registry: Registry) -> dict[str, Beneficiary]:
    with registry.session() as session:
        rows = session.scalars(select(Beneficiary).where(Beneficiary.deleted_at.is_(None)))
        return {f"{b.first_name} {b.last_name}": b for b in rows}


def count(registry: Registry, model: type) -> int:
    with registry.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_messy_workbook_is_read_under_its_title_rows_with_merged_cells(
    registry: Registry, tmp_path: Path
) -> None:
    plan = prepare_import(registry, messy_workbook(tmp_path / "liste.xlsx"), "beneficiaries")
    assert plan.header_line == 4
    assert sorted(plan.mapping.values()) == sorted(
        ["full_name", "birth_date", "phone", "phone_secondary", "address_line", "quartier"]
    )
    assert len(plan.rows) == len(PEOPLE)
    registry.actor = COORDINATOR
    result = apply_import(registry, plan)
    assert result.created == len(PEOPLE)
    found = people(registry)
    jean = found["Jean DUPONT"]
    assert (jean.birth_date, jean.phone, jean.quartier) == (
        dt.date(1938, 3, 12),
        "+33612345678",
        "Centre",
    )
    marie = found["Marie-Anne LE GOFF"]
    # A number cell lost the leading 0; the merged quartier reaches the second row.
    assert (marie.phone, marie.phone_secondary, marie.quartier) == (
        "+33612345679",
        "+33344201010",
        "Centre",
    )
    assert found["Hélène MARTIN"].birth_date == dt.date(1945, 11, 30)
    assert found["Lucien D'ALEMBERT"].birth_date == dt.date(1936, 3, 12)
    assert found["Lucien D'ALEMBERT"].phone == "+33612345681"
    assert found["Œdipe BERNARD"].birth_date == dt.date(1938, 4, 30)  # Excel serial 14000
    # Imported people are found like any other (FTS triggers ran in the same transaction).
    assert [hit.id for hit in search_people(registry, "le goff")] == [marie.id]


def test_every_rejected_row_says_why_in_french(registry: Registry, tmp_path: Path) -> None:
    plan = prepare_import(registry, messy_workbook(tmp_path / "liste.xlsx"), "beneficiaries")
    reasons = {row.line: row.reason for row in plan.rejected}
    first_bad = 5 + len(PEOPLE)
    assert reasons[first_bad] == "Date impossible : « 31/02/1950 »."
    assert "06 12" in reasons[first_bad + 1] and "Téléphone" in reasons[first_bad + 1]
    assert reasons[first_bad + 2] == "Nom : Le nom est obligatoire."
    assert len(plan.rejected) == 3


def test_a_windows_1252_csv_with_semicolons_imports_volunteers(
    registry: Registry, tmp_path: Path
) -> None:
    path = cp1252_csv(tmp_path / "benevoles.csv")
    plan = prepare_import(registry, path, "volunteers")
    assert plan.encoding == "cp1252"
    assert [r.reason for r in plan.rejected] == ["Date impossible : « 29/02/1981 »."]
    registry.actor = COORDINATOR
    apply_import(registry, plan)
    with registry.session() as session:
        rows = session.execute(
            select(
                Volunteer.first_name,
                Volunteer.last_name,
                Volunteer.birth_date,
                Volunteer.has_car,
                Volunteer.status,
            ).order_by(Volunteer.last_name)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Élodie", "GARNIER", dt.date(1980, 6, 5), True, "en_attente"),
        ("Noël", "Lefèvre", dt.date(1975, 2, 28), False, "en_attente"),
        ("Cécile", "Œuvray", dt.date(1972, 9, 17), True, "en_attente"),
    ]


def test_csv_delimiter_and_encoding_are_detected() -> None:
    text_utf8, encoding = decode_text("Nom,Prénom\nÉric,Zoé\n".encode())
    assert encoding == "utf-8"
    rows, delimiter = csv_rows(text_utf8)
    assert (delimiter, rows[1]) == (",", ["Éric", "Zoé"])
    _text, encoding = decode_text("Nom;Prénom\nNoël;Zoé\n".encode("cp1252"))
    assert encoding == "cp1252"
    text_utf16, encoding = decode_text("Nom\tPrénom\nŒuvray\tZoé\n".encode("utf-16"))
    assert encoding == "utf-16"
    assert csv_rows(text_utf16) == ([["Nom", "Prénom"], ["Œuvray", "Zoé"]], "\t")


@pytest.mark.slow
def test_an_ods_file_reads_like_the_workbook(registry: Registry, tmp_path: Path) -> None:
    source = messy_workbook(tmp_path / "liste.xlsx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    plan = prepare_import(registry, tmp_path / "liste.ods", "beneficiaries")
    assert len(plan.rows) == len(PEOPLE) and len(plan.rejected) == 3


def test_the_same_file_twice_creates_nothing_new(registry: Registry, tmp_path: Path) -> None:
    registry.actor = COORDINATOR
    path = messy_workbook(tmp_path / "liste.xlsx")
    apply_import(registry, prepare_import(registry, path, "beneficiaries"))
    before = (count(registry, Beneficiary), count(registry, OutboxEntry))
    again = prepare_import(registry, path, "beneficiaries")
    assert again.already_imported.startswith("Ce fichier a déjà été importé le ")
    with pytest.raises(ValidationError):
        apply_import(registry, again)
    # The same people re-saved in another file: each is recognised, nothing is created.
    resaved = messy_workbook(tmp_path / "liste-bis.xlsx", PEOPLE)
    plan = prepare_import(registry, resaved, "beneficiaries")
    assert not plan.already_imported
    assert len(plan.certain_duplicates) == len(PEOPLE)
    assert apply_import(registry, plan).created == 0
    assert (count(registry, Beneficiary), count(registry, OutboxEntry)) == before


def test_possible_duplicates_are_shown_and_only_imported_when_asked(
    registry: Registry, tmp_path: Path
) -> None:
    registry.actor = COORDINATOR
    add_person(registry, "Jean", "Dupont")  # no birth date: maybe the same Jean Dupont
    add_person(registry, "Hélène", "Martin", birth_date=dt.date(1950, 1, 1))  # another one
    plan = prepare_import(registry, messy_workbook(tmp_path / "l.xlsx", PEOPLE), "beneficiaries")
    assert [(d.name, d.reason, d.certain) for d in plan.duplicates] == [
        ("Jean DUPONT", "même nom", False)
    ]
    assert len(plan.rows_to_create()) == len(PEOPLE) - 1
    assert apply_import(registry, plan, include_possible_duplicates=True).created == len(PEOPLE)


def test_an_import_is_all_or_nothing(registry: Registry, tmp_path: Path) -> None:
    registry.actor = COORDINATOR
    plan = prepare_import(registry, messy_workbook(tmp_path / "l.xlsx"), "beneficiaries")
    before = (
        count(registry, Beneficiary),
        count(registry, AuditEvent),
        count(registry, OutboxEntry),
    )
    with registry.engine.begin() as conn:  # the disk fills up at the third outbox row
        conn.execute(
            text(
                "CREATE TRIGGER full_disk BEFORE INSERT ON outbox "
                "WHEN (SELECT count(*) FROM outbox) >= 2 "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    with pytest.raises(Exception, match="disk full"):
        apply_import(registry, plan)
    after = (
        count(registry, Beneficiary),
        count(registry, AuditEvent),
        count(registry, OutboxEntry),
    )
    assert after == before and count(registry, ImportBatch) == 0


def test_each_imported_person_is_journaled_and_queued_for_the_platform(
    registry: Registry, tmp_path: Path
) -> None:
    registry.actor = COORDINATOR
    plan = prepare_import(registry, messy_workbook(tmp_path / "l.xlsx", PEOPLE), "beneficiaries")
    result = apply_import(registry, plan)
    with registry.session() as session:
        queued = set(
            session.scalars(
                select(OutboxEntry.record_id).where(OutboxEntry.entity == "beneficiary")
            )
        )
        summaries = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.record_id.in_(result.ids))
        ).all()
    assert set(result.ids) <= queued
    assert "Bénéficiaire Jean DUPONT créé·e (import de « l.xlsx »)" in summaries


def test_a_secretary_may_preview_but_not_import(registry: Registry, tmp_path: Path) -> None:
    plan = prepare_import(registry, messy_workbook(tmp_path / "l.xlsx"), "beneficiaries")
    with pytest.raises(PermissionDeniedError):
        apply_import(registry, plan)


def test_a_file_without_a_name_column_is_refused_in_french(
    registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Ville;Code postal\nCompiègne;60200\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Aucune ligne d'en-tête reconnue"):
        prepare_import(registry, path, "beneficiaries")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValidationError, match="seuls les fichiers"):
        prepare_import(registry, tmp_path / "x.pdf", "beneficiaries")


def test_ten_thousand_rows_import_whole(registry: Registry, tmp_path: Path) -> None:
    registry.actor = COORDINATOR
    plan = prepare_import(registry, big_workbook(tmp_path / "big.xlsx", 10_000), "beneficiaries")
    assert (len(plan.rows), plan.rejected) == (10_000, [])
    assert apply_import(registry, plan).created == 10_000
    assert count(registry, Beneficiary) == 10_000


def test_the_command_line_dry_run_writes_nothing_then_imports(
    db_path: Path, registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(messy_workbook(tmp_path / "liste.xlsx"))
    assert main(["import", "beneficiaries", path, "--dry-run", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Ligne 10 refusée (Février FAUX) : Date impossible : « 31/02/1950 »." in out
    assert "rien n'a été enregistré" in out
    assert count(registry, Beneficiary) == 0
    assert main(["import", "beneficiaries", path, "--db", str(db_path)]) == 0
    assert "Import terminé : 5 fiche(s)" in capsys.readouterr().out
    assert main(["import", "beneficiaries", path, "--db", str(db_path)]) == 0
    assert "déjà été importé" in capsys.readouterr().out
    assert count(registry, Beneficiary) == len(PEOPLE)
