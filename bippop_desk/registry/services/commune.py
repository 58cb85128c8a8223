"""Setting up the commune of a new registry, and its staff users."""

from __future__ import annotations

import re

from sqlalchemy import select

from bippop_desk.registry.changes import Actor
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import Commune, User
from bippop_desk.registry.models.commune import ROLES
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.catalogue import seed_catalogue
from bippop_desk.registry.store import Registry

_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def setup_commune(
    registry: Registry, insee_code: str, name: str, departement: str, postal_code: str = ""
) -> str:
    """Create the registry's commune and seed the platform's mission catalogue."""
    errors: dict[str, str] = {}
    if not _INSEE.match(insee_code.strip().upper()):
        errors["insee_code"] = "Le code INSEE compte 5 caractères (exemple : 60159)."
    if not name.strip():
        errors["name"] = "Le nom de la commune est obligatoire."
    if errors:
        raise ValidationError(errors)
    if registry.commune_id_or_empty():
        raise ValidationError.single("insee_code", "Ce registre a déjà une commune.")
    with registry.change() as changes:
        commune = Commune(
            insee_code=insee_code.strip().upper(),
            name=name.strip(),
            departement=departement.strip(),
            postal_code=postal_code.strip(),
        )
        changes.create(commune, f"Commune {commune.name} ({commune.insee_code}) créée")
        changes.commune_id = commune.id
        seed_catalogue(changes)
    return commune.id


def ensure_user(registry: Registry, username: str, display_name: str, role: str) -> User:
    """The staff user with this login, created on first use."""
    if role not in ROLES:
        raise ValidationError.single("role", "Rôle inconnu.")
    with registry.session() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is not None:
            return user
    with registry.change() as changes:
        user = User(username=username, display_name=display_name, role=role)
        changes.create(user, f"Utilisateur {display_name} ({role}) créé")
        return user


def list_staff(registry: Registry) -> list[Actor]:
    """Active staff users as Actors, administrators last (the desk is mostly secretaries)."""
    order = {role: index for index, role in enumerate(ROLES)}
    with registry.session() as session:
        users = session.scalars(
            select(User).where(User.active.is_(True), User.deleted_at.is_(None))
        ).all()
    actors = [Actor(u.username, u.display_name, u.role) for u in users]
    return sorted(actors, key=lambda a: (order.get(a.role, 9), a.display_name))


def add_staff_user(registry: Registry, username: str, display_name: str, role: str) -> str:
    """A new staff member (administrators only)."""
    errors: dict[str, str] = {}
    login = username.strip().lower()
    if not login or not login.replace(".", "").replace("-", "").replace("_", "").isalnum():
        errors["username"] = (
            "L'identifiant ne contient que des lettres, chiffres, points ou tirets."
        )
    if not display_name.strip():
        errors["display_name"] = "Indiquez le nom tel qu'il apparaîtra dans le journal."
    if role not in ROLES:
        errors["role"] = "Choisissez un rôle."
    if errors:
        raise ValidationError(errors)
    require(registry, "staff.manage")  # refusal journaled
    with registry.change() as changes:
        taken = changes.session.scalar(select(User.id).where(User.username == login))
        if taken:
            raise ValidationError.single("username", "Cet identifiant est déjà pris.")
        user = User(username=login, display_name=display_name.strip(), role=role)
        changes.create(user, f"Utilisateur {user.display_name} ({role}) créé")
        return user.id
