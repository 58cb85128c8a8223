"""The Windows installer script reads its version from the package (ISPP: the line that
starts with `__version__`, between its first and last double quote) and packs the
folder the PyInstaller spec builds. Inno Setup does not run here: its rules are checked
on the script's text, and the version rule on the very file it reads."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bippop_desk import __version__

ROOT = Path(__file__).resolve().parents[2]
ISS = (ROOT / "installer" / "bippop-desk.iss").read_text(encoding="utf-8")
SPEC = (ROOT / "installer" / "bippop-desk.spec").read_text(encoding="utf-8")


def ispp_version(text: str) -> str:
    """What the script's ReadVersionLine keeps: Copy(Line, Pos('"')+1, RPos('"')-Pos('"')-1)."""
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line[line.index('"') + 1 : line.rindex('"')]
    return ""


def test_the_installer_reads_the_packages_version() -> None:
    assert r'"\bippop_desk\__init__.py"' in ISS
    assert 'Pos("__version__", Line) == 1' in ISS
    init = (ROOT / "bippop_desk" / "__init__.py").read_text(encoding="utf-8")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert ispp_version(init) == __version__ == pyproject["project"]["version"]


def test_the_installer_packs_the_one_folder_app_the_spec_builds() -> None:
    assert 'name="bippop-desk"' in SPEC
    assert r'Source: "{#Root}\dist\bippop-desk\*"' in ISS
    assert re.search(r"^#define AppExe \"bippop-desk\.exe\"$", ISS, re.MULTILINE)
    for path in re.findall(r"\{#Root\}\\([^\"\s]+\.ico)", ISS):
        assert (ROOT / path.replace("\\", "/")).exists(), path
    assert 'MessagesFile: "compiler:Languages\\French.isl"' in ISS
    assert "PrivilegesRequired=lowest" in ISS  # no administrator needed at the town hall
