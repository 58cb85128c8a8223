"""One query string finds people by name, phone or street, accents and case folded."""

from __future__ import annotations

import pytest

from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.search import build_match, search_people
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, update_beneficiary
from bippop_desk.registry.store import Registry
from tests.conftest import add_person


@pytest.fixture
def people(registry: Registry) -> dict[str, str]:
    return {
        "helene": add_person(
            registry,
            "Hélène",
            "Le Goff",
            phone="06 12 34 56 78",
            address_line="12 rue Solférino",
            city="Compiègne",
        ),
        "jerome": add_person(
            registry,
            "Jérôme",
            "Lefèvre",
            phone="03 44 20 30 40",
            address_line="3 avenue Thiers",
            city="Compiègne",
        ),
        "legrand": add_person(registry, "Marcel", "Legrand", address_line="8 rue de Paris"),
        "nguyen": add_person(registry, "Thị", "Nguyễn", phone="+44 20 7946 0958"),
    }


def ids(registry: Registry, query: str) -> list[str]:
    return [hit.id for hit in search_people(registry, query)]


@pytest.mark.parametrize("query", ["helene", "HÉLÈNE", "Hélène", "hel", "le goff", "goff helene"])
def test_names_are_found_with_accents_and_case_folded(
    registry: Registry, people: dict[str, str], query: str
) -> None:
    assert ids(registry, query)[0] == people["helene"]


@pytest.mark.parametrize(
    "query", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612", "0612", "06.12.34"]
)
def test_phones_are_found_in_any_format_and_by_partial_number(
    registry: Registry, people: dict[str, str], query: str
) -> None:
    assert ids(registry, query) == [people["helene"]]


def test_a_foreign_number_is_found_by_its_international_digits(
    registry: Registry, people: dict[str, str]
) -> None:
    assert ids(registry, "+44 20 7946") == [people["nguyen"]]
    assert ids(registry, "nguyen") == [people["nguyen"]]


def test_streets_are_found(registry: Registry, people: dict[str, str]) -> None:
    assert ids(registry, "solferino") == [people["helene"]]
    assert ids(registry, "avenue thiers") == [people["jerome"]]


def test_the_closer_name_ranks_first(registry: Registry, people: dict[str, str]) -> None:
    # "le" prefixes Le Goff, Lefèvre and Legrand; "le goff" must put Le Goff first.
    assert ids(registry, "le goff")[0] == people["helene"]
    assert set(ids(registry, "le")) >= {people["helene"], people["jerome"], people["legrand"]}


def test_fts_operators_typed_by_the_user_are_plain_text(
    registry: Registry, people: dict[str, str]
) -> None:
    for query in ['"', "NEAR(", "le OR goff", "-goff", "goff*", "a AND"]:
        search_people(registry, query)  # must not raise an FTS syntax error
    assert build_match("h") is None


def test_a_rename_is_searchable_at_once_and_a_tombstone_disappears(
    registry: Registry, people: dict[str, str]
) -> None:
    update_beneficiary(registry, people["legrand"], BeneficiaryInput("Marcel", "Pagnol"))
    assert ids(registry, "legrand") == []
    assert ids(registry, "pagnol") == [people["legrand"]]
    with registry.change() as changes:
        record = changes.session.get(Beneficiary, people["helene"])
        assert record is not None
        changes.delete(record, "Fiche supprimée")
    assert ids(registry, "goff") == []


def test_a_rolled_back_change_leaves_the_index_as_it_was(
    registry: Registry, people: dict[str, str]
) -> None:
    with pytest.raises(RuntimeError), registry.change() as changes:
        record = changes.session.get(Beneficiary, people["jerome"])
        assert record is not None
        changes.update(record, {"last_name": "Inventé"}, "essai")
        raise RuntimeError("crash before commit")
    assert ids(registry, "invente") == []
    assert ids(registry, "lefevre") == [people["jerome"]]
