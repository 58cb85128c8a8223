"""The benches still run: their small mode on a 2,000-person registry, and the startup
harness against the bare window. Only the output's shape is checked here; speed lives
in `make bench`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import intake, search, startup, survey
from bench.common import demo_registry_file

KEYS = {"bench", "value", "unit", "target", "floor", "ratio", "ok"}


@pytest.fixture
def small_benches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BIPPOP_BENCH_SMALL", "1")
    monkeypatch.setenv("BIPPOP_BENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path


def last_json_line(output: str) -> dict[str, object]:
    result = json.loads(output.strip().splitlines()[-1])
    assert isinstance(result, dict)
    assert set(result) == KEYS
    return result


@pytest.mark.parametrize("module", [search, intake, survey], ids=["search", "intake", "survey"])
def test_a_bench_prints_its_json_line_last(
    small_benches: Path, module: object, capsys: pytest.CaptureFixture[str]
) -> None:
    returned = module.run()  # type: ignore[attr-defined]
    printed = last_json_line(capsys.readouterr().out)
    assert printed == returned
    assert printed["unit"] == "ms"
    assert isinstance(printed["value"], float) and printed["value"] > 0
    assert isinstance(printed["floor"], float) and printed["floor"] > 0


def test_the_startup_harness_times_the_bare_window_to_its_first_paint(
    small_benches: Path,
) -> None:
    db = demo_registry_file(2_000, 400)
    run = startup.spawn(startup.bare_command(db), startup.child_env(small_benches / "home"))
    assert run.returncode == 0, run.stderr_tail
    assert run.seconds is not None and run.seconds > 0
    assert run.child_says.startswith("painted ")
    assert run.peak_rss_mb > 10


def test_make_bench_fails_when_a_bench_misses_its_target(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys
    import types

    from bench import __main__ as bench_main
    from bench.common import report

    def module(name: str, value: float) -> types.ModuleType:
        fake = types.ModuleType(f"bench.{name}")
        fake.run = lambda: report(name, value, "ms", 5.0, 1.0, value <= 5.0)  # type: ignore[attr-defined]
        return fake

    def broken() -> dict[str, object]:
        raise RuntimeError("no registry")

    crashing = types.ModuleType("bench.crashing")
    crashing.run = broken  # type: ignore[attr-defined]
    for name, fake in (("fast", module("fast", 1.0)), ("slow", module("slow", 9.0))):
        monkeypatch.setitem(sys.modules, f"bench.{name}", fake)
    monkeypatch.setitem(sys.modules, "bench.crashing", crashing)
    monkeypatch.setattr(bench_main, "available", lambda: ["crashing", "fast", "slow"])
    assert bench_main.main(["fast"]) == 0
    assert bench_main.main(["fast", "slow"]) == 1
    assert "over target: slow" in capsys.readouterr().err
    assert bench_main.main(["crashing", "fast"]) == 1
    assert "failed to run: crashing" in capsys.readouterr().err
