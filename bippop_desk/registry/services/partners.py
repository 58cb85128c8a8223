"""Partner associations and services of the commune."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import Partner
from bippop_desk.registry.phones import parse_phone
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class PartnerView:
    id: str
    name: str
    kind: str


def list_partners(registry: Registry) -> list[PartnerView]:
    with registry.engine.connect() as conn:
        rows = conn.execute(
            select(Partner.id, Partner.name, Partner.kind)
            .where(Partner.deleted_at.is_(None))
            .order_by(Partner.name)
        )
        return [PartnerView(*row) for row in rows]


def create_partner(
    registry: Registry, name: str, kind: str = "association", phone: str = "", email: str = ""
) -> str:
    if not name.strip():
        raise ValidationError.single("name", "Le nom du partenaire est obligatoire.")
    parsed = parse_phone(phone)
    with registry.change() as changes:
        record = Partner(
            commune_id=changes.commune_id, name=name.strip(), kind=kind, phone=parsed, email=email
        )
        changes.create(record, f"Partenaire « {record.name} » ajouté")
        return record.id
