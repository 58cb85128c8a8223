"""Secrets live only in the OS keyring; without one the desk says so in French."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from bippop_desk.secrets import (
    SecretStoreUnavailable,
    delete_secret,
    get_secret,
    secret_name,
    set_secret,
)
from tests.memory_keyring import MemoryKeyring


def test_a_secret_is_stored_in_the_keyring_and_read_back(memory_keyring: MemoryKeyring) -> None:
    name = secret_name("device-token", "abc")
    set_secret(name, "s3cret")
    assert get_secret(name) == "s3cret"
    assert ("bippop-desk", name) in memory_keyring.store
    delete_secret(name)
    assert get_secret(name) is None
    delete_secret(name)  # forgetting twice is not an error


def test_without_a_keyring_the_error_is_french_and_nothing_is_stored() -> None:
    keyring.set_keyring(FailKeyring())
    with pytest.raises(SecretStoreUnavailable, match="trousseau"):
        set_secret("device-token:x", "s3cret")
    with pytest.raises(SecretStoreUnavailable):
        get_secret("device-token:x")
