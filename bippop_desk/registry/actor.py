"""Who is acting: staff roles and the Actor on whose behalf a change is made.

Kept free of SQLAlchemy so the app's window can appear before the ORM is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from bippop_desk.registry.errors import PermissionDeniedError

ROLES = ("secretaire", "coordinateur", "administrateur")
ROLE_LABELS = {
    "secretaire": "Secrétaire",
    "coordinateur": "Coordinateur·rice CCAS",
    "administrateur": "Administrateur·rice",
}


@dataclass(frozen=True)
class Actor:
    """The staff member on whose behalf a change is made."""

    username: str
    display_name: str
    role: str = "administrateur"

    def require(self, *roles: str, action: str) -> None:
        if self.role not in roles:
            raise PermissionDeniedError(
                f"Votre rôle ne permet pas de {action}. Demandez à un administrateur."
            )


SYSTEM_ACTOR = Actor("systeme", "Bip Pop Desk", "administrateur")
