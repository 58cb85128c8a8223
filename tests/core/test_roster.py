"""The printed visit roster, read back from the PDF (pypdf text extraction)."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from bippop_desk.cli import main
from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.services.week import week_missions
from bippop_desk.registry.store import Registry
from bippop_desk.reports.pdf_fonts import missing_glyphs
from bippop_desk.reports.roster import MAX_NAME, MAX_TEXT, roster_pdf, write_roster
from bippop_desk.reports.rtl import visual
from tests.conftest import add_person
from tests.core.test_week import COORDINATOR, MONDAY, WEEK, add_mission, add_volunteer, at

FOOTER = "Document confidentiel — données personnelles"


def pages_of(pdf: bytes | Path) -> list[str]:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def fonts_of(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def add_raw_person(registry: Registry, first: str, last: str, **values: str) -> str:
    """A beneficiary as the central platform could send it: no desk validation."""
    with registry.change(COORDINATOR) as changes:
        person = Beneficiary(
            commune_id=changes.commune_id, first_name=first, last_name=last, **values
        )
        changes.create(person, "Bénéficiaire reçu de la plateforme")
        return person.id


@pytest.fixture
def week_plan(registry: Registry) -> dict[str, str]:
    helene = add_person(
        registry,
        "Hélène",
        "Le Goff",
        civility="Mme",
        phone="06 12 34 56 78",
        address_line="12 rue Solférino",
        postal_code="60200",
        city="Compiègne",
        access_notes="Code 4521B",
    )
    marcel = add_person(registry, "Marcel", "Legrand", address_line="8 rue de Paris")
    anna = add_volunteer(registry, "Anna", "Zeller")
    bruno = add_volunteer(registry, "Bruno", "Abadie")
    add_mission(registry, helene, anna, at(MONDAY, 14), notes="Apporter le journal")
    add_mission(registry, marcel, bruno, at(MONDAY + dt.timedelta(days=2), 10), code="appel")
    add_mission(registry, marcel, anna, at(MONDAY + dt.timedelta(days=4), 9, 30), minutes=90)
    return {"helene": helene, "marcel": marcel, "anna": anna, "bruno": bruno}


def test_the_roster_by_day_prints_every_mission_with_what_the_visit_needs(
    registry: Registry, week_plan: dict[str, str], tmp_path: Path
) -> None:
    result = write_roster(registry, *WEEK, "day", tmp_path / "semaine.pdf")
    text = " ".join("\n".join(pages_of(tmp_path / "semaine.pdf")).split())
    assert result.missions == 3 and result.pages == len(pages_of(tmp_path / "semaine.pdf"))
    for expected in (
        "Lundi 9 novembre 2026 — 1 intervention",
        "14:00–15:00",
        "Anna Zeller",
        "Mme Hélène",
        "12 rue Solférino, 60200 Compiègne",
        "Accès : Code 4521B",
        "06 12 34 56 78",
        "Visite de convivialité",
        "Apporter le journal",
        "Appel de convivialité",
        "09:30–11:00",
        "Mardi 10 novembre 2026 — aucune intervention",
    ):
        assert expected in text, expected
    # Days come in order, each mission under its own day.
    assert text.index("Lundi 9") < text.index("Anna Zeller") < text.index("Mercredi 11")
    assert text.index("Mercredi 11") < text.index("Bruno Abadie") < text.index("Jeudi 12")


def test_the_roster_by_volunteer_gives_each_volunteer_their_own_pages(
    registry: Registry, week_plan: dict[str, str]
) -> None:
    pdf, pages = roster_pdf(week_missions(registry, *WEEK), "volunteer")
    texts = pages_of(pdf)
    assert pages == len(texts) == 2
    assert "Bruno Abadie — 1 intervention cette semaine" in texts[0]
    assert "Anna Zeller — 2 interventions cette semaine" in texts[1]
    assert "Marcel Legrand" in texts[0] and "Hélène" not in texts[0]
    assert "lun. 09/11" in texts[1] and "ven. 13/11" in texts[1]


def test_every_page_repeats_the_header_and_carries_the_footer_and_page_x_of_y(
    registry: Registry, week_plan: dict[str, str]
) -> None:
    for hour in range(60):
        add_mission(
            registry,
            week_plan["helene"],
            week_plan["anna"],
            at(MONDAY, 8) + dt.timedelta(minutes=10 * hour),
            notes="Une note assez longue pour passer à la ligne dans sa cellule. " * 3,
        )
    pdf, pages = roster_pdf(week_missions(registry, *WEEK), "day")
    texts = pages_of(pdf)
    assert pages == len(texts) >= 3
    for number, text in enumerate(texts, 1):
        assert "Compiègne — CCAS" in text
        assert "Planning des visites — semaine 46 (par jour)" in text
        assert "du lundi 9 novembre au dimanche 15 novembre 2026" in text
        assert FOOTER in text
        assert f"page {number} / {pages}" in text
    # The Monday table runs over several pages: its title and column header repeat.
    for text in texts[:-1]:
        assert "Lundi 9 novembre 2026 — 61 interventions" in text
        assert "Adresse et accès" in text


def test_an_empty_week_prints_one_clear_page(registry: Registry) -> None:
    for layout in ("day", "volunteer"):
        pdf, pages = roster_pdf(week_missions(registry, 2026, 10), layout)  # type: ignore[arg-type]
        texts = pages_of(pdf)
        assert pages == len(texts) == 1
        assert "Aucune intervention cette semaine" in texts[0]
        assert FOOTER in texts[0] and "page 1 / 1" in texts[0]


def test_public_holidays_show_in_the_header_and_on_their_day(
    registry: Registry, week_plan: dict[str, str]
) -> None:
    for layout in ("day", "volunteer"):
        pdf, _ = roster_pdf(week_missions(registry, *WEEK), layout)  # type: ignore[arg-type]
        text = "\n".join(pages_of(pdf))
        assert "Férié : mer. 11/11 (Armistice)" in text
    day_text = "\n".join(pages_of(roster_pdf(week_missions(registry, *WEEK), "day")[0]))
    assert "Mercredi 11 novembre 2026 — jour férié : Armistice" in day_text


NAMES = [("Œdipe", "Straßburger"), ("Thị", "Nguyễn"), ("Ğökhan", "Yılmaz")]


def test_names_in_any_script_print_with_real_glyphs_of_the_embedded_font(
    registry: Registry,
) -> None:
    volunteer = add_volunteer(registry, "Zoë", "Øster")
    people = [add_raw_person(registry, first, last) for first, last in NAMES]
    people.append(add_raw_person(registry, "שרה", "כהן"))
    people.append(add_raw_person(registry, "محمد", "العلي"))
    for hour, person in enumerate(people):
        add_mission(registry, person, volunteer, at(MONDAY, 8 + hour))
    for layout in ("day", "volunteer"):
        pdf, _ = roster_pdf(week_missions(registry, *WEEK), layout)  # type: ignore[arg-type]
        text = "\n".join(pages_of(pdf))
        for first, last in NAMES:
            assert f"{first} {last}" in text
        assert "Zoë Øster" in text
        # Hebrew comes back in reading order; Arabic in its joined letter forms.
        assert "שרה כהן" in text
        assert "محمد العلي" in unicodedata.normalize("NFKC", text)
        # Only the embedded DejaVu Sans (subsets): no base-14 font that lacks these glyphs.
        assert {font.split("+")[-1] for font in fonts_of(pdf)} == {
            "DejaVuSans",
            "DejaVuSans-Bold",
        }
    every_name = " ".join(f"{f} {la}" for f, la in NAMES) + " שרה כהן ﻣﺤﻤﺪ ﺍﻟﻌﻠﻲ Zoë Øster"
    assert missing_glyphs(every_name) == []


def test_hostile_text_prints_literally_and_long_text_is_cut_to_fit(
    registry: Registry,
) -> None:
    volunteer = add_volunteer(registry, '=HYPERLINK("http://x")', "<b>Gras</b> & Cie")
    person = add_raw_person(
        registry,
        "Jean",
        "Dupont-" + "Z" * 400,
        access_notes="Sonner <deux> fois & attendre",
    )
    add_mission(registry, person, volunteer, at(MONDAY, 9), notes="Très long. " * 600)
    pdf, pages = roster_pdf(week_missions(registry, *WEEK), "day")
    text = "\n".join(pages_of(pdf))
    flat = text.replace("\n", "")
    assert pages == 1
    assert '=HYPERLINK("http://x") <b>Gras</b> & Cie' in flat
    assert "Sonner <deux> fois & attendre" in flat
    assert "Z" * (MAX_NAME - 20) + "…" in flat and "Z" * 400 not in flat
    assert "Très long." in text and flat.count("Très long.") < MAX_TEXT // 10


def test_cancelled_missions_are_left_out_unless_asked_for(
    registry: Registry, week_plan: dict[str, str]
) -> None:
    add_mission(registry, week_plan["helene"], week_plan["bruno"], at(MONDAY, 17), status="annulee")
    week = week_missions(registry, *WEEK)
    without = "\n".join(pages_of(roster_pdf(week, "day")[0]))
    with_them = "\n".join(pages_of(roster_pdf(week, "day", include_cancelled=True)[0]))
    assert "17:00–18:00" not in without
    assert "17:00–18:00" in with_them and "Annulée" in with_them


def test_the_roster_command_writes_the_weeks_pdf(
    registry: Registry, week_plan: dict[str, str], db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "planning.pdf"
    code = main(
        ["roster", "--db", str(db_path), "--week", "2026-W46", "--by", "volunteer", "-o", str(out)]
    )
    assert code == 0
    texts = pages_of(out)
    assert len(texts) == 2 and "semaine 46 (par bénévole)" in texts[0]
    assert main(["roster", "--db", str(db_path), "--week", "2025-W53", "-o", str(out)]) == 2


@pytest.mark.parametrize(
    ("logical", "drawn"),
    [
        ("Hélène Le Goff", "Hélène Le Goff"),
        ("Mme שרה כהן", "Mme ןהכ הרש"),
        ("Yossi כהן (בית 12) ok", "Yossi (12 תיב) ןהכ ok"),
        # an RTL word in brackets inside a French address keeps the address in order
        ("M. (شارع) 12 rue", "M. (\ufec9\ufead\ufe8e\ufeb7) 12 rue"),
        ("لا", "\ufefb"),  # lam + alef take their mandatory ligature
        # initial, medial, medial and final forms, drawn from the right
        ("محمد", "\ufeaa\ufee4\ufea4\ufee3"),
    ],
)
def test_right_to_left_text_is_drawn_in_display_order_with_joined_arabic_letters(
    logical: str, drawn: str
) -> None:
    assert visual(logical) == drawn
