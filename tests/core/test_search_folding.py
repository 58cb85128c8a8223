"""Search finds every name: letters Unicode does not decompose, joined particles,
decomposed and full-width typing, a second phone, and pasted pages of text."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest

from bippop_desk.registry.search import MAX_QUERY_WORDS, build_match, search_people
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, possible_duplicates
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import fold, name_key
from tests.conftest import add_person

PEOPLE = {
    "oeuvray": ("Gisèle", "Œuvray"),
    "strasser": ("Jürgen", "Straßer"),
    "soren": ("Søren", "Kierkegård"),
    "lukasz": ("Łukasz", "Nowak"),
    "yilmaz": ("Ayşe", "Yılmaz"),
    "istanbul": ("İpek", "Demir"),
    "zolc": ("Zofia", "Żółć"),
    "dalembert": ("Jean", "D'Alembert"),
    "legoff": ("Hélène", "Le Goff"),
    "elidrissi": ("Karim", "El Idrissi"),
    "fontaine": ("Jean", "de La Fontaine"),
    "aesa": ("Æsa", "Olsen"),
}


@pytest.fixture
def people(registry: Registry) -> dict[str, str]:
    return {key: add_person(registry, first, last) for key, (first, last) in PEOPLE.items()}


def ids(registry: Registry, query: str) -> list[str]:
    return [hit.id for hit in search_people(registry, query)]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("oeuvray", "oeuvray"),
        ("OEUVRAY", "oeuvray"),
        ("Œuvray", "oeuvray"),
        ("strasser", "strasser"),
        ("STRASSER", "strasser"),
        ("soren", "soren"),
        ("SØREN", "soren"),
        ("lukasz", "lukasz"),
        ("ŁUKASZ", "lukasz"),
        ("yilmaz", "yilmaz"),
        ("YILMAZ", "yilmaz"),
        ("ipek", "istanbul"),
        ("zolc", "zolc"),
        ("ŻÓŁĆ", "zolc"),
        ("aesa", "aesa"),
        ("dalembert", "dalembert"),
        ("d'alembert", "dalembert"),
        ("alembert", "dalembert"),
        ("legoff", "legoff"),
        ("le goff", "legoff"),
        ("LEGOFF helene", "legoff"),
        ("elidrissi", "elidrissi"),
        ("el-idrissi", "elidrissi"),
        ("lafontaine", "fontaine"),
        ("delafontaine", "fontaine"),
    ],
)
def test_every_name_is_found_by_what_people_type(
    registry: Registry, people: dict[str, str], query: str, who: str
) -> None:
    assert ids(registry, query)[:1] == [people[who]]


def test_a_query_typed_decomposed_or_full_width_finds_the_name(
    registry: Registry, people: dict[str, str]
) -> None:
    decomposed = unicodedata.normalize("NFD", "Hélène Le Goff")
    assert decomposed != "Hélène Le Goff"
    assert ids(registry, decomposed)[:1] == [people["legoff"]]
    full_width = "ＬＥＧＯＦＦ"  # what some input methods type
    assert ids(registry, full_width)[:1] == [people["legoff"]]


def test_a_name_stored_decomposed_is_found_by_its_plain_letters(registry: Registry) -> None:
    person = add_person(registry, unicodedata.normalize("NFD", "Édith"), "Piaf")
    assert ids(registry, "edith piaf") == [person]


def test_index_query_and_duplicates_fold_the_same_way() -> None:
    assert fold("Œuvray Straßer Søren Łukasz Yılmaz İpek Żółć") == (
        "oeuvray strasser soren lukasz yilmaz ipek zolc"
    )
    assert name_key("Jean", "LE GOFF") == name_key("jean", "Le-Goff") == name_key("Legoff", "Jean")


def test_a_possible_duplicate_is_spotted_whatever_the_spelling_of_the_particle(
    registry: Registry, people: dict[str, str]
) -> None:
    found = possible_duplicates(registry, BeneficiaryInput("HÉLÈNE", "Legoff"))
    assert [d.id for d in found] == [people["legoff"]]


def test_a_pasted_page_is_cut_to_a_few_words(registry: Registry, people: dict[str, str]) -> None:
    pasted = " ".join(["legoff"] + [f"mot{i}" for i in range(5000)])
    match = build_match(pasted)
    assert match is not None and match.count('"*') == MAX_QUERY_WORDS
    assert search_people(registry, pasted) == []  # the extra words must all match: nobody
    assert search_people(registry, "x" * 100_000) == []


def test_a_match_on_the_second_phone_shows_that_phone(registry: Registry) -> None:
    person = add_person(
        registry, "Lucienne", "Moreau", phone="06 11 22 33 44", phone_secondary="03 44 55 66 77"
    )
    [by_second] = search_people(registry, "03 44 55")
    assert (by_second.id, by_second.phone) == (person, "03 44 55 66 77")
    [by_first] = search_people(registry, "06 11")
    assert by_first.phone == "06 11 22 33 44"
    [by_name] = search_people(registry, "moreau")
    assert by_name.phone == "06 11 22 33 44"


def test_the_index_holds_folded_text_after_an_update(registry: Registry, db_path: Path) -> None:
    from bippop_desk.registry.services.beneficiaries import get_beneficiary, update_beneficiary

    person = add_person(registry, "Anne", "Martin")
    record = get_beneficiary(registry, person)
    data = BeneficiaryInput(record.first_name, "Œuvray-Straßer", address_line="Rue du Cœur")
    update_beneficiary(registry, person, data)
    assert ids(registry, "oeuvray strasser") == [person]
    assert ids(registry, "oeuvraystrasser") == [person]
    assert ids(registry, "rue du coeur") == [person]
    conn = sqlite3.connect(db_path)
    try:
        [(names,)] = conn.execute("SELECT names FROM search_index").fetchall()
    finally:
        conn.close()
    assert "oeuvray strasser" in names and "Œ" not in names
