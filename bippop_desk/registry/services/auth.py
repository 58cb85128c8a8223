"""Staff sign-in: argon2 password hashes, the first administrator, lockout with delay.

Runs on the DB worker (argon2 takes ~50 ms on purpose). Failed attempts are counted
per account: after MAX_ATTEMPTS the account waits LOCK_DELAY, doubled at each further
failure (capped), so guessing a password at the desk is hopeless. Every sign-in and
every refusal is journaled. The password hash never leaves this computer (local-only
columns of staff_user; staff_user itself never syncs).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update

from bippop_desk.registry.actor import ROLES, Actor
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import RegistryError, ValidationError
from bippop_desk.registry.models import User
from bippop_desk.registry.permissions import current_actor, require
from bippop_desk.registry.services.audit_trail import SIGN_IN, SIGN_IN_FAILED, add_event
from bippop_desk.registry.store import Registry

MIN_LENGTH = 8
MAX_ATTEMPTS = 5
LOCK_DELAY = dt.timedelta(minutes=1)
MAX_LOCK_DELAY = dt.timedelta(minutes=30)
_HASHER = PasswordHasher()
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


class SignInError(RegistryError):
    """Wrong name or password, or an account locked for a while (French message)."""

    def __init__(self, message: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError.single(
            field, f"Le mot de passe compte au moins {MIN_LENGTH} caractères."
        )
    if password.strip() != password:
        raise ValidationError.single(
            field, "Le mot de passe ne commence ni ne finit par un espace."
        )


def needs_first_administrator(registry: Registry) -> bool:
    """True until an active administrator has a password (a new or upgraded registry)."""
    with registry.session() as session:
        found = session.scalar(
            select(User.id).where(
                User.role == "administrateur",
                User.password_hash != "",
                User.active.is_(True),
                User.deleted_at.is_(None),
            )
        )
    return found is None


def create_first_administrator(
    registry: Registry, username: str, display_name: str, password: str, confirm: str
) -> Actor:
    """First start: the administrator who will create the others. Named for the register
    (a small mairie's secretary-administrator runs it; access can be withdrawn later)."""
    login = username.strip().lower()
    errors: dict[str, str] = {}
    if not _LOGIN.match(login):
        errors["username"] = (
            "L'identifiant ne contient que des lettres, chiffres, points ou tirets."
        )
    if not display_name.strip():
        errors["display_name"] = "Indiquez votre nom tel qu'il apparaîtra dans le journal."
    try:
        check_password_rules(password)
    except ValidationError as error:
        errors.update(error.errors)
    if not errors.get("password") and password != confirm:
        errors["confirm"] = "Les deux mots de passe ne sont pas identiques."
    if errors:
        raise ValidationError(errors)
    if not needs_first_administrator(registry):
        raise ValidationError.single("username", "Un administrateur existe déjà : connectez-vous.")
    actor = Actor(login, display_name.strip(), "administrateur")
    with registry.change(actor) as changes:
        user = changes.session.scalars(select(User).where(User.username == login)).first()
        values = {
            "display_name": actor.display_name,
            "role": "administrateur",
            "active": True,
            "password_hash": hash_password(password),
            "register_access": True,
        }
        if user is None:
            user = User(username=login, **values)
            changes.create(user, f"Premier administrateur {login} créé")
        else:
            changes.update(user, values, f"Compte {login} devenu administrateur")
        add_event(changes.session, actor, SIGN_IN, "staff_user", user.id, "Connexion")
    return actor


def sign_in(registry: Registry, username: str, password: str) -> Actor:
    """The signed-in Actor, or SignInError. The same message for an unknown name and a
    wrong password, so the dialog does not reveal which accounts exist."""
    login = username.strip().lower()
    now = utcnow()
    wrong = "Identifiant ou mot de passe incorrect."
    with registry.session() as session:
        user = session.scalars(
            select(User).where(User.username == login, User.deleted_at.is_(None))
        ).first()
    if user is None or not user.active or not user.password_hash:
        _journal_failure(registry, login, user.id if user else "", None)
        raise SignInError(wrong)
    if user.locked_until is not None and user.locked_until > now:
        _journal_failure(registry, login, user.id, None)
        raise SignInError(_locked_message(user.locked_until - now), user.locked_until)
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        attempts = user.failed_attempts + 1
        locked = None
        if attempts >= MAX_ATTEMPTS:
            delay = min(LOCK_DELAY * 2 ** (attempts - MAX_ATTEMPTS), MAX_LOCK_DELAY)
            locked = now + delay
        _journal_failure(registry, login, user.id, (attempts, locked))
        if locked is not None:
            raise SignInError(_locked_message(locked - now), locked) from None
        left = MAX_ATTEMPTS - attempts
        raise SignInError(f"{wrong} Encore {left} essai(s) avant un blocage temporaire.") from None
    actor = Actor(user.username, user.display_name, user.role)
    with registry.change(actor) as changes:
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
        if _HASHER.check_needs_rehash(user.password_hash):
            values["password_hash"] = hash_password(password)
        changes.session.execute(update(User).where(User.id == user.id).values(**values))
        add_event(changes.session, actor, SIGN_IN, "staff_user", user.id, "Connexion")
    return actor


def _locked_message(left: dt.timedelta) -> str:
    minutes = max(1, int(left.total_seconds() + 59) // 60)
    return (
        "Trop d'essais : ce compte est bloqué pendant encore "
        f"{minutes} minute(s). Réessayez plus tard ou demandez à un administrateur."
    )


def _journal_failure(
    registry: Registry,
    login: str,
    user_id: str,
    counters: tuple[int, dt.datetime | None] | None,
) -> None:
    who = Actor(login or "?", login or "?", "")
    with registry.change(who) as changes:
        if counters is not None:
            attempts, locked = counters
            changes.session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_attempts=attempts, locked_until=locked)
            )
        add_event(changes.session, who, SIGN_IN_FAILED, "staff_user", user_id, "Connexion refusée")


def verify_password(registry: Registry, password: str) -> bool:
    """Whether `password` is the signed-in user's (to unlock the idle screen)."""
    try:
        sign_in(registry, current_actor(registry).username, password)
    except SignInError:
        return False
    return True


def set_password(
    registry: Registry, username: str, password: str, confirm: str, current: str = ""
) -> None:
    """Change one's own password (giving the current one) or, as an administrator,
    anyone's (a forgotten password)."""
    check_password_rules(password)
    if password != confirm:
        raise ValidationError.single("confirm", "Les deux mots de passe ne sont pas identiques.")
    login = username.strip().lower()
    if login != current_actor(registry).username:
        require(registry, "staff.manage")
    elif not verify_password(registry, current):
        raise ValidationError.single("current", "Le mot de passe actuel est incorrect.")
    with registry.change() as changes:
        user = changes.session.scalars(select(User).where(User.username == login)).first()
        if user is None:
            raise ValidationError.single("username", "Utilisateur inconnu.")
        values = {
            "password_hash": hash_password(password),
            "failed_attempts": 0,
            "locked_until": None,
        }
        changes.update(user, values, f"Mot de passe de {login} changé")


def set_staff_access(
    registry: Registry,
    username: str,
    *,
    role: str | None = None,
    register: bool | None = None,
    active: bool | None = None,
) -> None:
    """An administrator changes someone's role, register access or account state."""
    require(registry, "staff.manage")
    if role is not None and role not in ROLES:
        raise ValidationError.single("role", "Rôle inconnu.")
    with registry.change() as changes:
        user = changes.session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise ValidationError.single("username", "Utilisateur inconnu.")
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = role
        if register is not None:
            values["register_access"] = register
        if active is not None:
            values["active"] = active
        changes.update(user, values, f"Accès de {username} modifiés")


@dataclass(frozen=True)
class StaffAccount:
    username: str
    display_name: str
    role: str
    register_access: bool
    active: bool
    has_password: bool
    locked: bool


def staff_accounts(registry: Registry) -> list[StaffAccount]:
    """Every staff account, for the administrator's access screen."""
    require(registry, "staff.manage")
    now = utcnow()
    with registry.session() as session:
        users = session.scalars(
            select(User).where(User.deleted_at.is_(None)).order_by(User.display_name)
        ).all()
    return [
        StaffAccount(
            u.username,
            u.display_name,
            u.role,
            u.register_access,
            u.active,
            bool(u.password_hash),
            u.locked_until is not None and u.locked_until > now,
        )
        for u in users
    ]
