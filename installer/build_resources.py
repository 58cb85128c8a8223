"""Build the generated files of resources/ from their sources (run by `make installer`,
and by hand after changing the icon or a translation):

- icons/bippop-desk-<N>.png for N in SIZES, rendered from icons/bippop-desk.svg by Qt's
  SVG renderer (offscreen: no display needed), and icons/bippop-desk.ico for Windows;
- translations/*.qm from translations/*.ts with pyside6-lrelease (the .ts catalogue is
  refreshed from the UI sources with pyside6-lupdate first).

`python installer/build_resources.py [--check]`: --check fails when a generated file is
missing or older than its source (the installer test uses it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
SVG = RESOURCES / "icons" / "bippop-desk.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)
TRANSLATIONS = RESOURCES / "translations"


def png_path(size: int) -> Path:
    return RESOURCES / "icons" / f"bippop-desk-{size}.png"


def render_icons() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not image.save(str(png_path(size))):
            raise SystemExit(f"cannot write {png_path(size)}")
        written.append(png_path(size))
    # Windows wants an .ico (the exe and the Inno Setup installer); Qt's ICO writer
    # stores one image, the 256 px one, which Windows scales down.
    ico = RESOURCES / "icons" / "bippop-desk.ico"
    if not QImage(str(png_path(256))).save(str(ico), "ICO"):
        raise SystemExit(f"cannot write {ico}")
    written.append(ico)
    return written


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found (it ships with PySide6)")
    return found


def build_translations() -> list[Path]:
    sources = sorted((ROOT / "bippop_desk" / "ui").rglob("*.py"))
    written = []
    for ts in sorted(TRANSLATIONS.glob("*.ts")):
        subprocess.run(
            [_tool("pyside6-lupdate"), *map(str, sources), "-ts", str(ts), "-no-obsolete"],
            check=True,
            capture_output=True,
        )
        qm = ts.with_suffix(".qm")
        subprocess.run(
            [_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True
        )
        written.append(qm)
    return written


def stale() -> list[str]:
    problems = []
    for size in SIZES:
        png = png_path(size)
        if not png.exists() or png.stat().st_mtime < SVG.stat().st_mtime:
            problems.append(str(png.relative_to(ROOT)))
    for ts in TRANSLATIONS.glob("*.ts"):
        qm = ts.with_suffix(".qm")
        if not qm.exists():
            problems.append(str(qm.relative_to(ROOT)))
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = stale()
        for problem in problems:
            print(f"à régénérer : {problem}")
        return 1 if problems else 0
    for path in [*render_icons(), *build_translations()]:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
