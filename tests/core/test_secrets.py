"""Secrets live only in the OS keyring; without one the desk says so in French."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends.chainer import ChainerBackend
from keyring.backends.fail import Keyring as FailKeyring
from keyring.backends.null import Keyring as NullKeyring
from keyrings.alt.file import PlaintextKeyring

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


class _FileKeyring(MemoryKeyring):
    """A keyring that keeps its secrets in a file of the home folder, like keyrings.alt's
    FileBacked backends (EncryptedKeyring needs pycryptodome, absent here)."""

    filename = "secrets.cfg"
    file_path = "secrets.cfg"  # never written: the store is the dict


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_chained_keyring_with_a_plaintext_backend_anywhere_in_it_is_refused(
    position: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")  # keyrings.alt allows this
    chain: list[object] = [MemoryKeyring(), MemoryKeyring()]
    chain.insert(position, plaintext)
    # What keyring finds installed (the one point replaced): the chainer itself is real.
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: chain)
    keyring.set_keyring(ChainerBackend())
    assert plaintext in ChainerBackend.backends
    with pytest.raises(SecretStoreUnavailable, match="trousseau"):
        set_secret("device-token:x", "s3cret")
    with pytest.raises(SecretStoreUnavailable):
        get_secret("device-token:x")
    assert not (tmp_path / "keyring_pass.cfg").exists()


def test_a_chained_keyring_with_a_file_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    chain = [MemoryKeyring(), _FileKeyring()]
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: chain)
    keyring.set_keyring(ChainerBackend())
    with pytest.raises(SecretStoreUnavailable):
        set_secret("device-token:x", "s3cret")
    assert all(not backend.store for backend in chain)


def test_a_plaintext_or_null_keyring_alone_is_refused(tmp_path: Path) -> None:
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")
    for backend in (plaintext, NullKeyring()):
        keyring.set_keyring(backend)
        with pytest.raises(SecretStoreUnavailable):
            set_secret("device-token:x", "s3cret")
    assert not (tmp_path / "keyring_pass.cfg").exists()


def test_a_chain_of_os_keyrings_only_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = MemoryKeyring(), MemoryKeyring()
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [first, second])
    keyring.set_keyring(ChainerBackend())
    set_secret("device-token:x", "s3cret")
    assert get_secret("device-token:x") == "s3cret"
    assert first.store == {("bippop-desk", "device-token:x"): "s3cret"}
