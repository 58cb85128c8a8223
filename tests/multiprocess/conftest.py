"""Fixtures of the multi-process tests: a demo registry file (closed, no connection of
this process left on it) and the real app running on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.store import Registry
from tests.multiprocess.processes import AppProcess

DEMO_PEOPLE = 80


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "registre.sqlite3"
    registry = Registry(path)
    generate_demo(registry, DEMO_PEOPLE)
    registry.close()
    return path


@pytest.fixture
def app(demo_file: Path) -> Iterator[AppProcess]:
    process = AppProcess(demo_file)
    try:
        process.wait_ready()
        yield process
    finally:
        process.kill()
