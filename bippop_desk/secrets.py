"""Secrets of this installation (device token, pseudonymisation key) in the OS keyring.

Never in the registry file, a settings file or a log: `keyring` stores them in the
Secret Service (Linux), the Credential Locker (Windows) or the Keychain (macOS). When
the machine has no usable keyring, `SecretStoreUnavailable` says so in French; the
caller keeps working offline and never falls back to writing the secret in clear.

No Qt here; safe to call from any worker thread (never from the GUI thread: a
Secret Service call may block on D-Bus).
"""

from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from bippop_desk.registry.errors import RegistryError

log = logging.getLogger(__name__)

SERVICE = "bippop-desk"

UNAVAILABLE_MESSAGE = (
    "Aucun trousseau de mots de passe n'est disponible sur cet ordinateur : "
    "le secret ne peut pas être enregistré en sécurité. Bip Pop Desk continue de "
    "fonctionner hors ligne ; demandez à votre informaticien d'activer le trousseau "
    "du système (GNOME Keyring, KWallet ou le gestionnaire d'identification Windows)."
)


class SecretStoreUnavailable(RegistryError):
    """No usable OS keyring: the secret cannot be kept safely."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


# Backends that would put a secret in a file (plain, base64 or weakly "encrypted") or
# nowhere: refused wherever they stand, alone or inside keyring's chainer.
_REFUSED_MODULES = (
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyrings.alt",
    "keyrings.cryptfile",
)


def _unsafe(backend: object) -> bool:
    kind = type(backend)
    module = kind.__module__
    if module.startswith(_REFUSED_MODULES) or "plaintext" in kind.__name__.lower():
        return True
    # keyrings.alt's FileBacked mixin (and look-alikes): a file in the home folder.
    return hasattr(kind, "file_path")


def _usable_backend() -> None:
    """Raise SecretStoreUnavailable unless every backend a secret may reach is an OS
    keyring. Keyring's ChainerBackend tries its backends in turn for every read and
    write: one plaintext backend anywhere in the chain (a failing first backend lets the
    write fall through to it) is enough to refuse the whole chain."""
    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    if type(backend).__module__.startswith("keyring.backends.chainer") or chained is not None:
        members = list(chained or [])
        if not members or any(_unsafe(member) for member in members):
            raise SecretStoreUnavailable()
        return
    if _unsafe(backend) or getattr(backend, "priority", 1) <= 0:
        raise SecretStoreUnavailable()


def secret_name(kind: str, scope: str) -> str:
    """The keyring user name of a secret: its kind and what it belongs to
    (e.g. `device-token`, the registry's device id)."""
    return f"{kind}:{scope}"


def get_secret(name: str) -> str | None:
    """The stored secret, or None when none is stored. Raises SecretStoreUnavailable."""
    _usable_backend()
    try:
        return keyring.get_password(SERVICE, name)
    except NoKeyringError as error:
        raise SecretStoreUnavailable() from error
    except KeyringError as error:
        log.warning("keyring read failed: %s", error)
        raise SecretStoreUnavailable() from error


def set_secret(name: str, value: str) -> None:
    """Store (or replace) a secret. Raises SecretStoreUnavailable."""
    _usable_backend()
    try:
        keyring.set_password(SERVICE, name, value)
    except NoKeyringError as error:
        raise SecretStoreUnavailable() from error
    except KeyringError as error:
        log.warning("keyring write failed: %s", error)
        raise SecretStoreUnavailable() from error


def delete_secret(name: str) -> None:
    """Forget a secret; forgetting one that is not there is not an error."""
    _usable_backend()
    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return
    except NoKeyringError as error:
        raise SecretStoreUnavailable() from error
    except KeyringError as error:
        log.warning("keyring delete failed: %s", error)
        raise SecretStoreUnavailable() from error
