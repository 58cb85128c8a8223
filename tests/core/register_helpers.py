"""Shared set-up for the register, campaign, erasure and role tests: staff accounts
with real argon2 passwords, and registered people."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.models import User
from bippop_desk.registry.services import auth
from bippop_desk.registry.services.auth import hash_password
from bippop_desk.registry.services.register import RegisterInput, register_person
from bippop_desk.registry.store import Registry
from tests.conftest import add_person

# Real argon2id, at test cost: the default parameters (~50 ms a hash, on purpose) would
# spend most of these tests' time hashing staff passwords.
auth._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

PASSWORD = "canicule-2026"
REGISTRAR = Actor("claire", "Claire Dubois", "secretaire")  # named for the register
ADMIN = Actor("admin", "Alain Admin", "administrateur")
COORDINATOR = Actor("coord", "Corinne Coord", "coordinateur")


def add_staff(registry: Registry, actor: Actor, *, register: bool = False) -> None:
    with registry.change(actor) as changes:
        changes.create(
            User(
                username=actor.username,
                display_name=actor.display_name,
                role=actor.role,
                password_hash=hash_password(PASSWORD),
                register_access=register,
            ),
            "Utilisateur créé",
        )


def registered(
    registry: Registry,
    first: str,
    last: str,
    *,
    alone: bool = False,
    contact: bool = True,
    **person: object,
) -> str:
    """A beneficiary aged 80 entered in the register (acting as REGISTRAR)."""
    person.setdefault("birth_date", dt.date(1946, 5, 4))
    person.setdefault("phone", "03 44 40 72 00")
    person_id = add_person(registry, first, last, **person)
    before = registry.actor
    registry.actor = REGISTRAR
    try:
        return register_person(
            registry,
            RegisterInput(
                beneficiary_id=person_id,
                category="65_ans",
                consent=True,
                lives_alone=alone,
                emergency_contact_name="Paul Voisin" if contact else "",
                emergency_contact_phone="06 12 34 56 78" if contact else "",
            ),
        )
    finally:
        registry.actor = before
