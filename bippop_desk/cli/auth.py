"""Who acts on the command line: `--user LOGIN`, then the password from the OS keyring
(when remembered with `--remember`) or typed at the prompt. Every command that reads
personal data or writes opens the registry through `open_signed_in`: the sign-in is
checked (argon2, lockout) and journaled like at the desk, and the services then
enforce that user's role and register access. Only a registry without any account yet
(before the first administrator exists) is opened as the OS login.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import sys
from typing import TYPE_CHECKING

from bippop_desk.cli.common import CliError, open_registry

if TYPE_CHECKING:
    from bippop_desk.registry.store import Registry

log = logging.getLogger(__name__)

ENV_USER = "BIPPOP_DESK_USER"


def add_user_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="IDENTIFIANT",
        default=os.environ.get(ENV_USER, ""),
        help=f"qui agit (identifiant Bip Pop Desk ; ou la variable {ENV_USER})",
    )
    parser.add_argument(
        "--remember",
        action="store_true",
        help="garder le mot de passe dans le trousseau du système pour les fois suivantes",
    )


def password_key(registry: Registry, login: str) -> str:
    # Scoped by registry file: the same login on two registries are two accounts.
    from bippop_desk.secrets import secret_name  # keyring loads only when a command runs

    return secret_name("staff-password", f"{login}@{registry.path.resolve()}")


def _password(registry: Registry, login: str, prompt: bool) -> tuple[str, bool]:
    """The password and whether it came from the keyring (`prompt`: always ask)."""
    from bippop_desk.secrets import SecretStoreUnavailable, get_secret

    stored = None
    with contextlib.suppress(SecretStoreUnavailable):  # no keyring: the prompt
        stored = None if prompt else get_secret(password_key(registry, login))
    if stored:
        return stored, True
    if not sys.stdin.isatty():
        raise CliError(
            "Mot de passe demandé mais aucun terminal pour le taper : lancez la commande "
            "dans un terminal, ou mémorisez-le une fois avec --remember."
        )
    return getpass.getpass(f"Mot de passe de {login} : "), False


def open_signed_in(args: argparse.Namespace) -> Registry:
    """The registry, with the signed-in user as its actor (CliError without --user or
    with a wrong password; the refusal is journaled)."""
    from bippop_desk.registry.services.auth import SignInError, sign_in
    from bippop_desk.secrets import SecretStoreUnavailable, set_secret

    login = str(getattr(args, "user", "") or "").strip().lower()
    registry = open_registry(args)
    if not login:
        from bippop_desk.registry.services.auth import needs_first_administrator

        # A registry nobody has signed into yet (no administrator with a password: made
        # by `demo` or a script, before the app's first start) has no one to sign in
        # as: the command acts as the OS login, as before accounts existed.
        if needs_first_administrator(registry):
            log.info("no staff account yet: acting as %s", registry.actor.username)
            return registry
        registry.close()
        raise CliError(
            "Indiquez qui agit : --user IDENTIFIANT (cette commande lit des données "
            "personnelles ou modifie le registre)."
        )
    try:
        remember = bool(getattr(args, "remember", False))
        password, from_keyring = _password(registry, login, prompt=remember)
        try:
            registry.actor = sign_in(registry, login, password)
        except SignInError:
            if from_keyring:  # a stale remembered password: say so, do not retry it
                raise CliError(
                    "Le mot de passe gardé dans le trousseau n'est plus le bon : "
                    "relancez avec --remember pour le remplacer."
                ) from None
            raise
        if remember:
            try:
                set_secret(password_key(registry, login), password)
            except SecretStoreUnavailable as error:
                print(f"Attention : {error}", file=sys.stderr)
    except BaseException:
        registry.close()
        raise
    return registry
