"""The shortcuts that keep a keystroke under 5 ms find what plain FTS5 finds.

(`bench/search.py` measures the speed; these tests pin the behaviour: one-letter words
checked on the text, the sample with names first for queries matching many people,
phones shown without parsing.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bippop_desk.registry import search
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.search import build_match, search_people
from bippop_desk.registry.store import Registry
from tests.conftest import add_person


@pytest.fixture
def town(registry: Registry) -> dict[str, str]:
    return {
        "helene": add_person(
            registry, "Hélène", "Le Goff", phone="06 12 34 56 78", address_line="12 rue Solférino"
        ),
        "jerome": add_person(
            registry, "Jérôme", "Lefèvre", phone="03 44 20 30 40", address_line="3 avenue Thiers"
        ),
        "legrand": add_person(registry, "Marcel", "Legrand", address_line="8 rue de l'Étoile"),
        "elise": add_person(registry, "Élise", "Dupont", address_line="2 rue Lecourbe"),
        "odette": add_person(registry, "Odette", "Œillet", address_line="5 place Saint-Éloi"),
        "nguyen": add_person(registry, "Thị", "Nguyễn", phone="+44 20 7946 0958"),
    }


def ids(registry: Registry, query: str, limit: int = 20) -> list[str]:
    return [hit.id for hit in search_people(registry, query, limit)]


def fts_ids(db_path: Path, query: str) -> set[str]:
    """What FTS5 alone finds for the whole expression (every match, unranked)."""
    match = build_match(query)
    if match is None:
        return set()
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT d.record_id FROM search_index AS s JOIN search_doc AS d ON d.docid = s.rowid "
            "WHERE search_index MATCH ?",
            (match,),
        )
        return {row[0] for row in rows}
    finally:
        conn.close()


QUERIES = [
    "helene l",
    "Hélène L",
    "hélène le g",
    "goff h",
    "goff é",
    "goff j",
    "le g",
    "rue de l",
    "rue de l'e",
    "rue de l'é",
    "rue l",
    "marcel l",
    "o saint",
    "e dupont",
    "É dupont",
    "nguyen t",
    "thi n",
    "avenue t",
    "a b",
    "le",
    "rue",
    "06 1",
    "+44",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_people_as_fts5_alone(
    registry: Registry, db_path: Path, town: dict[str, str], query: str
) -> None:
    assert set(ids(registry, query)) == fts_ids(db_path, query)


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_people_when_every_query_matches_many(
    registry: Registry,
    db_path: Path,
    town: dict[str, str],
    query: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if the registry were huge: nothing is ranked, the sample path is taken.
    monkeypatch.setattr(search, "RANKED_UP_TO", 0)
    assert set(ids(registry, query, limit=1000)) == fts_ids(db_path, query)


def test_a_one_letter_word_narrows_like_a_prefix(registry: Registry, town: dict[str, str]) -> None:
    assert ids(registry, "helene l") == [town["helene"]]
    assert ids(registry, "goff j") == []
    assert ids(registry, "rue de l'e") == [town["legrand"]]
    assert ids(registry, "É dupont") == [town["elise"]]


def test_names_come_before_streets_when_too_many_match_to_rank(
    registry: Registry, town: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANKED_UP_TO", 0)
    found = ids(registry, "le")
    by_name = {town["helene"], town["jerome"], town["legrand"]}
    assert set(found[:3]) == by_name
    assert found[3:] == [town["elise"]]  # rue Lecourbe: a street match, last
    # With a one-letter word too: matches by name (Le Goff, Legrand) before the street.
    found = ids(registry, "rue l")
    assert set(found[:2]) == {town["helene"], town["legrand"]}
    assert found[2:] == [town["elise"]]


def test_a_limit_is_honoured_on_every_path(
    registry: Registry, town: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for query in ("le", "rue l", "06", "rue"):
        assert len(ids(registry, query, limit=1)) <= 1
    monkeypatch.setattr(search, "RANKED_UP_TO", 0)
    for query in ("le", "rue l", "06", "rue"):
        assert len(ids(registry, query, limit=1)) <= 1
    assert ids(registry, "le", limit=0) == []


@pytest.mark.parametrize(
    "e164",
    [
        "+33612345678",
        "+33712345678",
        "+33123456789",
        "+33344203040",
        "+33512345678",
        "+33912345678",
        "+33970123456",
        "+33800123456",
        "+33891234567",
        "+447946095812",
        "+3361234",
        "",
        "nonsense",
    ],
)
def test_the_quick_french_display_agrees_with_the_phonenumbers_library(e164: str) -> None:
    import phonenumbers

    expected = e164
    try:
        number = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if not e164:
        expected = ""
    elif number is not None:
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if phonenumbers.region_code_for_number(number) == "FR"
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        expected = phonenumbers.format_number(number, style)
    assert format_phone(e164) == expected
