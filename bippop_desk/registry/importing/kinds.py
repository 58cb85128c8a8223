"""Per kind of import: how a row's values become a record's checked values, by the very
rules of the forms (services' clean functions), so an import accepts what the desk does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, clean_beneficiary
from bippop_desk.registry.services.volunteers import VolunteerInput
from bippop_desk.registry.services.volunteers import _clean as clean_volunteer

_BENEFICIARY_FIELDS = frozenset(f.name for f in fields(BeneficiaryInput))
_VOLUNTEER_FIELDS = frozenset(f.name for f in fields(VolunteerInput)) - {"mission_type_ids"}
_CIVILITIES = {
    "m": "M.",
    "m.": "M.",
    "monsieur": "M.",
    "mr": "M.",
    "mme": "Mme",
    "madame": "Mme",
    "mlle": "Mme",
    "melle": "Mme",
    "mademoiselle": "Mme",
}


def _civility(text: str) -> str:
    return _CIVILITIES.get(text.strip().lower(), text.strip()[:10])


def _planned(values: dict[str, Any], extra: dict[str, Any] | None = None) -> Any:
    from bippop_desk.registry.importing.plan import PlannedRow

    return PlannedRow(0, values, extra or {})


def _beneficiary(raw: dict[str, Any]) -> Any:
    data = {k: v for k, v in raw.items() if k in _BENEFICIARY_FIELDS}
    data["civility"] = _civility(data.get("civility", ""))
    return _planned(clean_beneficiary(BeneficiaryInput(**data)))


def cleaner_for(kind: str, changes: ChangeSet) -> Callable[[dict[str, Any]], Any]:
    """The function that turns a row's raw values into a PlannedRow (ValidationError
    with the fields' French messages when the desk would refuse them)."""
    if kind == "beneficiaries":
        return _beneficiary
    if kind == "volunteers":

        def volunteer(raw: dict[str, Any]) -> Any:
            data = {k: v for k, v in raw.items() if k in _VOLUNTEER_FIELDS}
            data["civility"] = _civility(data.get("civility", ""))
            return _planned(clean_volunteer(changes, VolunteerInput(**data)))

        return volunteer
    if kind == "register":
        from bippop_desk.registry.importing.register_kind import register_cleaner

        return register_cleaner(changes)
    raise ValidationError.single("kind", f"Type d'import inconnu : {kind}.")
