"""Shared fixtures: every test gets its own registry file and its own data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Many tests post the public forms from 127.0.0.1 to one shared server: the web's rate
# limits and daily quota (bippop_central/web) are lifted for them; the tests of those
# limits start servers of their own with the real ones (tests/web).
os.environ.setdefault(
    "BIPPOP_WEB_LIMITS", "ip=1000000/60,commune=1000000/60,mail=1000000/60,space=1000000/60"
)
os.environ.setdefault("BIPPOP_WEB_DAILY_QUOTA", "1000000")

from bippop_desk.registry.changes import Actor
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    create_beneficiary,
)
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.store import Registry
from tests.memory_keyring import MemoryKeyring

SECRETARY = Actor("sophie", "Sophie Martin", "secretaire")


@pytest.fixture(autouse=True)
def private_data_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The app's data folder points into the test's temp dir, never at the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BIPPOP_DESK_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Secrets go to an in-memory keyring: never the developer's own, never a file."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registre.sqlite3"


@pytest.fixture
def registry(db_path: Path) -> Iterator[Registry]:
    """A real registry file with the commune of Compiègne and its mission catalogue."""
    reg = Registry(db_path, SECRETARY)
    setup_commune(reg, "60159", "Compiègne", "60", "60200")
    yield reg
    reg.close()


def add_person(registry: Registry, first: str, last: str, **values: object) -> str:
    return create_beneficiary(
        registry, BeneficiaryInput(first_name=first, last_name=last, **values)
    )  # type: ignore[arg-type]
