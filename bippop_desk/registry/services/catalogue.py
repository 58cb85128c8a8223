"""The mission-type catalogue of the commune (seeded with the platform's, editable)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import MissionType
from bippop_desk.registry.models.missions import FAMILIES
from bippop_desk.registry.permissions import require
from bippop_desk.registry.store import Registry

# (code, label, family, default minutes, needs a car): the Bip Pop platform's catalogue.
PLATFORM_CATALOGUE: tuple[tuple[str, str, str, int, bool], ...] = (
    ("visite", "Visite de convivialité", "mobilite_inversee", 60, False),
    ("appel", "Appel de convivialité", "a_distance", 30, False),
    ("lecture", "Lecture à voix haute", "mobilite_inversee", 60, False),
    ("informatique", "Aide informatique", "mobilite_inversee", 60, False),
    ("formalites", "Aide aux formalités administratives", "mobilite_inversee", 60, False),
    ("acc_courses", "Accompagnement courses", "mobilite_accompagnee", 90, True),
    ("acc_balade", "Accompagnement balade", "mobilite_accompagnee", 60, False),
    ("acc_rdv", "Accompagnement rendez-vous", "mobilite_accompagnee", 120, True),
    ("acc_evenement", "Accompagnement événement", "mobilite_accompagnee", 120, True),
    ("liv_courses", "Livraison de courses", "mobilite_inversee", 45, True),
    ("liv_livres", "Livraison de livres", "mobilite_inversee", 30, False),
    ("liv_medicaments", "Livraison de médicaments", "mobilite_inversee", 30, True),
)


@dataclass(frozen=True)
class MissionTypeView:
    id: str
    code: str
    label: str
    family: str
    default_duration_min: int
    needs_car: bool
    active: bool


def seed_catalogue(changes: ChangeSet) -> None:
    for order, (code, label, family, minutes, car) in enumerate(PLATFORM_CATALOGUE):
        changes.create(
            MissionType(
                commune_id=changes.commune_id,
                code=code,
                label=label,
                family=family,
                default_duration_min=minutes,
                needs_car=car,
                sort_order=order,
            ),
            f"Type de mission « {label} » ajouté au catalogue",
        )


def list_mission_types(
    registry: Registry, *, include_inactive: bool = False
) -> list[MissionTypeView]:
    with registry.session() as session:
        query = select(MissionType).where(MissionType.deleted_at.is_(None))
        if not include_inactive:
            query = query.where(MissionType.active.is_(True))
        rows = session.scalars(query.order_by(MissionType.sort_order, MissionType.label))
        return [
            MissionTypeView(
                t.id, t.code, t.label, t.family, t.default_duration_min, t.needs_car, t.active
            )
            for t in rows
        ]


@dataclass
class MissionTypeInput:
    label: str
    family: str
    default_duration_min: int
    needs_car: bool
    active: bool = True
    code: str = ""


def save_mission_type(
    registry: Registry, data: MissionTypeInput, type_id: str | None = None
) -> str:
    """Create or edit a mission type of the commune's catalogue (coordinators and admins)."""
    errors: dict[str, str] = {}
    label = data.label.strip()
    if not label:
        errors["label"] = "Le libellé est obligatoire."
    if data.family not in FAMILIES:
        errors["family"] = "Choisissez une famille de mission."
    if not 5 <= data.default_duration_min <= 12 * 60:
        errors["default_duration_min"] = "La durée doit être comprise entre 5 minutes et 12 heures."
    if errors:
        raise ValidationError(errors)
    require(registry, "catalogue")  # refusal journaled
    with registry.change() as changes:
        values = {
            "label": label,
            "family": data.family,
            "default_duration_min": data.default_duration_min,
            "needs_car": data.needs_car,
            "active": data.active,
        }
        if type_id is None:
            code = data.code.strip() or label.lower().replace(" ", "_")[:40]
            record = MissionType(commune_id=changes.commune_id, code=code, sort_order=100, **values)
            changes.create(record, f"Type de mission « {label} » ajouté")
            return record.id
        existing = changes.session.get(MissionType, type_id)
        if existing is None:
            raise ValidationError.single("label", "Ce type de mission n'existe plus.")
        changes.update(existing, values, f"Type de mission « {label} » modifié")
        return existing.id
