"""The phone desk's save: the request, and the caller's new file when there is none yet,
in ONE transaction. Either both are saved or nothing is; all problems are reported at
once, person fields prefixed with "person." so the form can show each at its field."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    add_beneficiary,
    clean_beneficiary,
)
from bippop_desk.registry.services.requests import RequestInput, add_request, request_errors
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class IntakeResult:
    request_id: str
    beneficiary_id: str
    created_beneficiary: bool


def log_phone_request(
    registry: Registry, request: RequestInput, new_person: BeneficiaryInput | None = None
) -> IntakeResult:
    """Save a request for an existing beneficiary (`request.beneficiary_id`) or for a new
    one described by `new_person`. Raises ValidationError with every bad field."""
    errors: dict[str, str] = {}
    person_values = None
    if new_person is not None:
        try:
            person_values = clean_beneficiary(new_person)
        except ValidationError as error:
            errors.update({f"person.{key}": message for key, message in error.errors.items()})
    with registry.change() as changes:
        beneficiary_id = request.beneficiary_id
        if person_values is not None:
            beneficiary_id = add_beneficiary(changes, person_values).id
        data = replace(request, beneficiary_id=beneficiary_id)
        problems = request_errors(changes, data)
        if new_person is not None:
            problems.pop("beneficiary_id", None)  # the person's own errors say it better
        errors.update(problems)
        if errors:
            raise ValidationError(errors)  # rolls the new file back too
        saved = add_request(changes, data)
        return IntakeResult(saved.id, beneficiary_id, person_values is not None)
