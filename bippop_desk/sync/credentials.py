"""The device token, kept in the OS keyring (bippop_desk.secrets), never in the registry
file, a settings file or a log. With no usable keyring the desk says so in French and
keeps working offline: there is no plain-text fallback."""

from __future__ import annotations

from bippop_desk.secrets import delete_secret, get_secret, secret_name, set_secret

KIND = "device-token"


def ensure_available() -> None:
    """Raise SecretStoreUnavailable now, before a single-use enrollment code is spent."""
    get_secret(secret_name(KIND, "verification"))


def store_token(device_id: str, token: str) -> None:
    """Raises SecretStoreUnavailable (French message) when no keyring is usable."""
    set_secret(secret_name(KIND, device_id), token)


def load_token(device_id: str) -> str | None:
    """The token of this device, or None when none is stored (enroll again)."""
    if not device_id:
        return None
    return get_secret(secret_name(KIND, device_id))


def forget_token(device_id: str) -> None:
    if device_id:
        delete_secret(secret_name(KIND, device_id))
