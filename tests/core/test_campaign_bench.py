"""The campaign bench still runs (small mode, 1,000 people) and prints its JSON line
last; speed itself lives in `make bench`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import campaign


def test_the_campaign_bench_prints_its_json_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BIPPOP_BENCH_SMALL", "1")
    monkeypatch.setenv("BIPPOP_BENCH_CACHE", str(tmp_path / "cache"))
    returned = campaign.run()
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed == returned and printed["bench"] == "campaign"
    assert set(printed) == {"bench", "value", "unit", "target", "floor", "ratio", "ok"}
    assert printed["unit"] == "ms" and printed["floor"] > 0
