"""Fixtures of the server tests: the real server on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import CentralServer, start_central, start_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database, SQLite file or PostgreSQL (skipped loudly if absent)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite3'}"
    try:
        return start_postgres()
    except RuntimeError as error:
        pytest.skip(f"PostgreSQL NON TESTÉ : {error}")


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralServer]:
    """The real server (uvicorn subprocess) on a SQLite file, with commune 60159."""
    server = start_central(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    server.add_commune("60159", "Compiègne", "60")
    yield server
    server.stop()


@pytest.fixture
def central_any(db_url: str) -> Iterator[CentralServer]:
    """The same on SQLite and PostgreSQL (parametrized)."""
    server = start_central(db_url)
    server.add_commune("60159", "Compiègne", "60")
    yield server
    server.stop()
