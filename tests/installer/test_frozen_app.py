"""The frozen app (PyInstaller one-folder, installer/bippop-desk.spec) starts offscreen
to its main window with a new demo registry (migrations run from the bundle), paints its
first list and closes cleanly; its commands find their fonts, migrations and resources.

Slow (about two minutes to build): marked `slow`, still part of `make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "bippop-desk.spec"


@pytest.fixture(scope="module")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(build / "dist"),
            "--workpath",
            str(build / "work"),
        ],
        check=True,
        cwd=ROOT,
        timeout=1500,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    program = build / "dist" / "bippop-desk" / "bippop-desk"
    assert program.exists()
    return program


def run(
    program: Path, home: Path, *args: str, timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "BIPPOP_DESK_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [str(program), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=home
    )


@pytest.mark.slow
def test_the_frozen_app_opens_its_main_window_and_closes_cleanly(
    frozen: Path, tmp_path: Path
) -> None:
    db = tmp_path / "registre.sqlite3"
    result = run(
        frozen,
        tmp_path,
        "run",
        "--db",
        str(db),
        "--demo-if-empty",
        "--page",
        "beneficiaries",
        "--exit-after-paint",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "painted" in result.stdout
    log = (tmp_path / "logs" / "bippop-desk.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and "ERROR" not in log
    assert db.exists()


@pytest.mark.slow
def test_the_frozen_app_carries_its_resources_fonts_and_migrations(
    frozen: Path, tmp_path: Path
) -> None:
    bundle = frozen.parent / "_internal"
    for path in (
        "resources/icons/bippop-desk-256.png",
        "resources/translations/bippop_desk_fr.qm",
        "resources/translations/qtbase_fr.qm",
        "resources/bippop-desk.desktop",
        "bippop_desk/registry/migrations/versions/0008_import_dashboard.py",
        "bippop_desk/reports/fonts/DejaVuSans.ttf",
    ):
        assert (bundle / path).exists(), path
    db = tmp_path / "registre.sqlite3"
    assert run(frozen, tmp_path, "demo", "--people", "50", "--db", str(db)).returncode == 0
    demo_list = bundle / "resources" / "demo" / "exemple-beneficiaires.csv"
    imported = run(frozen, tmp_path, "import", "beneficiaries", str(demo_list), "--db", str(db))
    assert "Import terminé : 5 fiche(s)" in imported.stdout, imported.stderr[-2000:]
    roster = run(frozen, tmp_path, "roster", "--db", str(db), "-o", str(tmp_path / "p.pdf"))
    assert roster.returncode == 0, roster.stderr[-2000:]
    assert "Planning des visites" in PdfReader(tmp_path / "p.pdf").pages[0].extract_text()
