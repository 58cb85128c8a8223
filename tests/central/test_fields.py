"""The server's schema of each synced entity (bippop_central/fields.py) is the desk's:
the same columns, types, lengths and nullability as its models, so the platform refuses
exactly what a desk could not store."""

from __future__ import annotations

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text, Time

from bippop_central.fields import MAX_LONG_TEXT, SCHEMA, Kind, check_record
from bippop_desk.registry.models import Base
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS, SYNCED_ENTITIES


def _desk_kind(column: object) -> Kind:
    kind = column.type  # type: ignore[attr-defined]
    nullable = bool(column.nullable)  # type: ignore[attr-defined]
    if isinstance(kind, Text):
        return Kind("text", nullable, MAX_LONG_TEXT)
    if isinstance(kind, String):
        return Kind("str", nullable, kind.length or 0)
    if isinstance(kind, Boolean):
        return Kind("bool", nullable)
    if isinstance(kind, DateTime):
        return Kind("datetime", nullable)
    if isinstance(kind, Date):
        return Kind("date", nullable)
    if isinstance(kind, Time):
        return Kind("time", nullable)
    if isinstance(kind, Numeric):
        return Kind("decimal", nullable, 10 ** ((kind.precision or 0) - (kind.scale or 0)))
    assert isinstance(kind, Integer), kind
    return Kind("int", nullable)


def test_the_server_schema_is_the_desk_models_column_for_column() -> None:
    assert set(SCHEMA) == set(SYNCED_ENTITIES)
    for entity in SYNCED_ENTITIES:
        columns = {
            column.name: _desk_kind(column)
            for column in Base.metadata.tables[entity].columns
            if column.name not in LOCAL_ONLY_FIELDS and column.name != "id"
        }
        assert SCHEMA[entity] == columns, entity


def test_a_record_as_the_desk_sends_it_passes_the_schema() -> None:
    fields = {
        "first_name": "Hélène", "last_name": "D'Arc", "birth_date": "1940-02-29",
        "has_internet": False, "consent_date": None, "last_contact_at": "2026-11-20T09:30:00",
        "created_at": "2026-11-20T09:30:00.123456", "row_version": 3, "deleted_at": None,
        "notes": "Ligne 1\nLigne 2\tfin",
    }  # fmt: skip
    assert check_record("beneficiary", fields, {}) > 0
    assert check_record("mission", {"mileage_km": "12.5", "starts_at": "2026-11-20T14:00:00"},
                        {}) > 0  # fmt: skip
    assert check_record("volunteer_availability", {"start_time": "09:00:00"}, {}) > 0
    assert check_record("volunteer", {}, {"mission_type_ids": ["a" * 36]}) > 0
