"""Staff sign-in: argon2 hashes, the first administrator, lockout with a delay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.models import AuditEvent, OutboxEntry, User
from bippop_desk.registry.services import auth
from bippop_desk.registry.services.auth import (
    SignInError,
    create_first_administrator,
    needs_first_administrator,
    sign_in,
)
from bippop_desk.registry.store import Registry
from tests.core.register_helpers import PASSWORD, REGISTRAR, add_staff


def test_a_new_registry_asks_for_its_first_administrator(registry: Registry) -> None:
    assert needs_first_administrator(registry)
    actor = create_first_administrator(registry, "Marie", "Marie Maire", PASSWORD, PASSWORD)
    assert actor.role == "administrateur" and actor.username == "marie"
    assert not needs_first_administrator(registry)
    with pytest.raises(ValidationError):
        create_first_administrator(registry, "other", "Other", PASSWORD, PASSWORD)


def test_the_first_administrator_form_says_what_is_wrong_in_french(registry: Registry) -> None:
    with pytest.raises(ValidationError) as error:
        create_first_administrator(registry, "", "", "court", "autre")
    assert set(error.value.errors) == {"username", "display_name", "password"}
    with pytest.raises(ValidationError) as error:
        create_first_administrator(registry, "marie", "Marie", PASSWORD, PASSWORD + "x")
    assert "identiques" in error.value.errors["confirm"]


def test_the_password_is_stored_as_an_argon2_hash_that_never_enters_the_outbox(
    registry: Registry,
) -> None:
    create_first_administrator(registry, "marie", "Marie Maire", PASSWORD, PASSWORD)
    with registry.session() as session:
        user = session.scalars(select(User).where(User.username == "marie")).one()
        payloads = session.scalars(select(OutboxEntry.payload)).all()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert not any("$argon2" in p for p in payloads)


def test_sign_in_with_the_right_password_gives_the_actor_and_is_journaled(
    registry: Registry,
) -> None:
    add_staff(registry, REGISTRAR)
    actor = sign_in(registry, " Claire ", PASSWORD)
    assert actor == REGISTRAR
    with registry.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "connexion" in actions


def test_a_wrong_password_is_refused_with_the_attempts_left(registry: Registry) -> None:
    add_staff(registry, REGISTRAR)
    with pytest.raises(SignInError) as error:
        sign_in(registry, "claire", "pas le bon")
    assert "incorrect" in str(error.value) and "4 essai" in str(error.value)
    with pytest.raises(SignInError) as unknown:
        sign_in(registry, "personne", PASSWORD)
    assert str(unknown.value) == "Identifiant ou mot de passe incorrect."
    with registry.session() as session:
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "connexion_refusee")
        ).all()
    assert len(refused) == 2


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    registry: Registry,
) -> None:
    add_staff(registry, REGISTRAR)
    for _ in range(auth.MAX_ATTEMPTS - 1):
        with pytest.raises(SignInError):
            sign_in(registry, "claire", "mauvais")
    with pytest.raises(SignInError) as locked:
        sign_in(registry, "claire", "mauvais")
    assert locked.value.locked_until is not None and "bloqué" in str(locked.value)
    with pytest.raises(SignInError) as still:
        sign_in(registry, "claire", PASSWORD)
    assert "bloqué" in str(still.value)


def test_once_the_delay_is_over_the_right_password_works_and_resets_the_count(
    registry: Registry,
) -> None:
    add_staff(registry, REGISTRAR)
    with registry.change() as changes:
        user = changes.session.scalars(select(User).where(User.username == "claire")).one()
        user.failed_attempts = auth.MAX_ATTEMPTS
        user.locked_until = utcnow() - dt.timedelta(seconds=1)
    assert sign_in(registry, "claire", PASSWORD) == REGISTRAR
    with registry.session() as session:
        user = session.scalars(select(User).where(User.username == "claire")).one()
    assert user.failed_attempts == 0 and user.locked_until is None


def test_each_failure_past_the_limit_doubles_the_delay(registry: Registry) -> None:
    add_staff(registry, REGISTRAR)
    with registry.change() as changes:
        user = changes.session.scalars(select(User).where(User.username == "claire")).one()
        user.failed_attempts = auth.MAX_ATTEMPTS  # already locked once, delay over
    with pytest.raises(SignInError) as error:
        sign_in(registry, "claire", "mauvais")
    assert error.value.locked_until is not None
    delay = error.value.locked_until - utcnow()
    assert dt.timedelta(minutes=1) < delay <= dt.timedelta(minutes=2)


def test_a_disabled_account_cannot_sign_in(registry: Registry) -> None:
    add_staff(registry, REGISTRAR)
    with registry.change() as changes:
        user = changes.session.scalars(select(User).where(User.username == "claire")).one()
        user.active = False
    with pytest.raises(SignInError):
        sign_in(registry, "claire", PASSWORD)


def test_the_pseudonymisation_key_lives_in_the_keyring_not_in_the_file(
    registry: Registry, db_path: Path, memory_keyring: object
) -> None:
    from bippop_desk.registry.models import AppSetting
    from bippop_desk.registry.services.settings import pseudonym_key

    with registry.change() as changes:  # as an older version kept it
        changes.session.add(AppSetting(key="hours.pseudonym_key", value="ab" * 32))
    assert pseudonym_key(registry) == bytes.fromhex("ab" * 32)
    with registry.session() as session:
        assert session.get(AppSetting, "hours.pseudonym_key") is None
    assert pseudonym_key(registry) == bytes.fromhex("ab" * 32)  # from the keyring now
    from bippop_desk.registry.services.erasure import compact

    compact(registry)
    assert ("ab" * 32).encode() not in db_path.read_bytes()
