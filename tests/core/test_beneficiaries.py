"""Creating and editing beneficiaries: validation, phones, audit and outbox, duplicates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AuditEvent, Beneficiary, OutboxEntry
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    beneficiary_ids,
    beneficiary_rows,
    create_beneficiary,
    get_beneficiary,
    possible_duplicates,
    update_beneficiary,
)
from bippop_desk.registry.store import Registry
from tests.conftest import add_person


def counts(registry: Registry) -> tuple[int, int, int]:
    with registry.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Beneficiary)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            session.scalar(select(func.count()).select_from(OutboxEntry)) or 0,
        )


def test_a_phone_typed_any_way_is_stored_in_e164_and_shown_the_french_way(
    registry: Registry,
) -> None:
    person_id = add_person(registry, "Hélène", "Le Goff", phone="06.12.34.56.78")
    person = get_beneficiary(registry, person_id)
    assert person.phone == "+33612345678"
    row = beneficiary_rows(registry, [person_id])[person_id]
    assert row[3] == "06 12 34 56 78"


def test_creating_writes_the_record_its_audit_event_and_its_outbox_entry(
    registry: Registry,
) -> None:
    before = counts(registry)
    person_id = add_person(registry, "Hélène", "Le Goff", phone="0612345678")
    assert counts(registry) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with registry.session() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.record_id == person_id)).one()
        outbox = session.scalars(
            select(OutboxEntry).where(OutboxEntry.record_id == person_id)
        ).one()
    assert audit.user_name == "Sophie Martin" and audit.action == "create"
    payload = json.loads(outbox.payload)
    assert outbox.op == "upsert" and outbox.state == "pending"
    assert payload["fields"]["last_name"] == "Le Goff"
    assert "search_phones" not in payload["fields"]  # local helpers never leave the computer


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"last_name": "  "}, "last_name", "Le nom est obligatoire"),
        ({"phone": "06 12 34"}, "phone", "n'existe pas"),
        ({"phone": "bonjour"}, "phone", "n'est pas un numéro"),
        ({"birth_date": dt.date.today() + dt.timedelta(days=3)}, "birth_date", "futur"),
        ({"postal_code": "6020"}, "postal_code", "5 chiffres"),
        ({"first_name": "Jean2"}, "first_name", "chiffres"),
        ({"consent_by": "third_party"}, "consent_third_party", "tiers"),
    ],
)
def test_bad_input_gets_a_french_message_at_its_field_and_nothing_is_written(
    registry: Registry, values: dict[str, object], field: str, fragment: str
) -> None:
    data = {"first_name": "Hélène", "last_name": "Le Goff", **values}
    before = counts(registry)
    with pytest.raises(ValidationError) as caught:
        create_beneficiary(registry, BeneficiaryInput(**data))  # type: ignore[arg-type]
    assert fragment in caught.value.errors[field]
    assert counts(registry) == before


def test_an_edit_journals_only_the_names_of_changed_fields_never_old_values(
    registry: Registry,
) -> None:
    person_id = add_person(registry, "Hélène", "Le Goff", phone="0612345678")
    data = BeneficiaryInput(
        first_name="Hélène",
        last_name="Le Goff",
        phone="0612345678",
        city="Compiègne",
        access_notes="Code 1942B",
    )
    changed = update_beneficiary(registry, person_id, data)
    assert sorted(changed) == ["access_notes", "city"]
    with registry.session() as session:
        audit = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_id == person_id)
            .order_by(AuditEvent.id.desc())
        ).first()
        outbox = session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.record_id == person_id)
            .order_by(OutboxEntry.id.desc())
        ).first()
    assert audit is not None and outbox is not None
    assert audit.fields == "city,access_notes"
    assert "1942B" not in audit.summary
    payload = json.loads(outbox.payload)
    # Based on the server's version as this desk saw it: none, it never synced.
    assert payload["changed"][:2] == ["city", "access_notes"] and payload["base_version"] is None
    assert get_beneficiary(registry, person_id).row_version == 2


def test_an_edit_that_changes_nothing_writes_nothing(registry: Registry) -> None:
    person_id = add_person(registry, "Hélène", "Le Goff")
    before = counts(registry)
    assert update_beneficiary(registry, person_id, BeneficiaryInput("Hélène", "Le Goff")) == []
    assert counts(registry) == before


def test_duplicates_are_found_by_folded_name_and_birth_date_or_by_phone(registry: Registry) -> None:
    born = dt.date(1938, 5, 2)
    first = add_person(registry, "Hélène", "Le Goff", birth_date=born)
    second = add_person(registry, "Marcel", "Dupont", phone="03 44 12 34 56")
    add_person(registry, "Hélène", "Le Goff", birth_date=dt.date(1990, 1, 1))

    same_person = possible_duplicates(
        registry, BeneficiaryInput("helene", "LE GOFF", birth_date=born)
    )
    assert [d.id for d in same_person] == [first]
    assert same_person[0].reason == "même nom et même date de naissance"

    by_phone = possible_duplicates(
        registry, BeneficiaryInput("Jean", "Martin", phone="+33344123456")
    )
    assert [(d.id, d.reason) for d in by_phone] == [(second, "même numéro de téléphone")]

    assert possible_duplicates(registry, BeneficiaryInput("Zoé", "Inconnue")) == []


def test_the_list_orders_ids_by_name_and_skips_tombstones(registry: Registry) -> None:
    b = add_person(registry, "Bernard", "Zola")
    a = add_person(registry, "Agnès", "Arnaud")
    gone = add_person(registry, "Gilles", "Martin")
    with registry.change() as changes:
        record = changes.session.get(Beneficiary, gone)
        assert record is not None
        changes.delete(record, "Fiche supprimée")
    assert beneficiary_ids(registry) == [a, b]
    assert beneficiary_ids(registry, descending=True) == [b, a]
