"""Importing register entries (registre canicule): the person (found in the registry or
created) and the entry. Waits for the register service of issue 8."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.errors import ValidationError


def register_cleaner(changes: ChangeSet) -> Callable[[dict[str, Any]], Any]:
    raise ValidationError.single(
        "kind", "L'import du registre canicule n'est pas encore disponible dans cette version."
    )


def write_register(changes: ChangeSet, plan: Any, rows: list[Any]) -> list[str]:
    raise ValidationError.single(
        "kind", "L'import du registre canicule n'est pas encore disponible dans cette version."
    )
