"""Importing the register a mairie kept in a spreadsheet: people found or created, one
entry each by the register's rules, nothing twice, only staff named for the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.importing import apply_import, prepare_import
from bippop_desk.registry.models import Beneficiary, RegisterEntry
from bippop_desk.registry.store import Registry
from tests.conftest import add_person
from tests.core.register_helpers import COORDINATOR, add_staff

LINES = [
    "Registre canicule 2026 — mairie;;;;;",
    "NOM Prénom;Date de naissance;Téléphone;Motif;Inscrit le;Vit seul",
    "DURAND Germaine;12/03/1936;06 12 34 56 01;Personne âgée;03/06/2026;oui",
    "LE GALL Yvon;21/07/1939;03 44 20 11 22;;04/06/2026;non",
    "MARTIN Paul;01/01/1980;06 12 34 56 02;AAH;05/06/2026;oui",
    "PETIT Léon;01/01/1990;06 12 34 56 03;65 ans et plus;05/06/2026;non",
    "ROUX Anne;01/01/1970;06 12 34 56 04;handicap;05/06/2026;non",
]


def register_csv(path: Path) -> Path:
    path.write_bytes("\r\n".join(LINES).encode("cp1252"))
    return path


def entries(registry: Registry) -> dict[str, tuple[str, str, bool]]:
    with registry.session() as session:
        rows = session.execute(
            select(
                Beneficiary.last_name,
                RegisterEntry.category,
                RegisterEntry.disability_basis,
                RegisterEntry.lives_alone,
            ).join(Beneficiary, Beneficiary.id == RegisterEntry.beneficiary_id)
        ).all()
    return {last: (category, basis, alone) for last, category, basis, alone in rows}


def test_a_register_list_creates_people_and_their_entries(
    registry: Registry, tmp_path: Path
) -> None:
    add_staff(registry, COORDINATOR, register=True)
    registry.actor = COORDINATOR
    existing = add_person(registry, "Yvon", "Le Gall", birth_date=dt.date(1939, 7, 21))
    plan = prepare_import(registry, register_csv(tmp_path / "registre.csv"), "register")
    reasons = {row.line: row.reason for row in plan.rejected}
    assert reasons[6].startswith("Catégorie : La personne a 36 ans")
    assert "reconnaissance du handicap" in reasons[7]
    result = apply_import(registry, plan)
    assert result.created == 3
    assert entries(registry) == {
        "DURAND": ("65_ans", "", True),
        "Le Gall": ("65_ans", "", False),  # the person already known: linked, not re-created
        "MARTIN": ("handicap", "aah", True),
    }
    with registry.session() as session:
        assert session.scalar(select(func.count()).select_from(Beneficiary)) == 3
        gall = session.scalar(
            select(RegisterEntry.beneficiary_id).where(RegisterEntry.beneficiary_id == existing)
        )
    assert gall == existing
    # The same people in another file: all already in the register, nothing added.
    again = register_csv(tmp_path / "registre-bis.csv")
    again.write_bytes(again.read_bytes() + b"\r\n")
    assert apply_import(registry, prepare_import(registry, again, "register")).created == 0


def test_only_staff_named_for_the_register_may_import_it(
    registry: Registry, tmp_path: Path
) -> None:
    add_staff(registry, COORDINATOR, register=False)
    registry.actor = COORDINATOR
    plan = prepare_import(registry, register_csv(tmp_path / "registre.csv"), "register")
    with pytest.raises(PermissionDeniedError):
        apply_import(registry, plan)
    assert entries(registry) == {}
