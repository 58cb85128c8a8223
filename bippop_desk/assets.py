"""Where the shipped resources are (icon, translations, demo files): the top-level
`resources/` folder of the source tree, wherever it lands.

- frozen app (PyInstaller): copied next to the code by installer/bippop-desk.spec;
- source checkout or editable install: the repository's own `resources/`;
- wheel install: setuptools data-files put it in `<prefix>/share/bippop-desk` (and the
  .desktop file and icon in the standard XDG places).
No Qt here: the UI turns these paths into icons and translators.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICON_NAME = "bippop-desk"


def resources_dir() -> Path | None:
    """The resources folder, or None when none is found (the app still runs)."""
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    candidates.append(Path(sys.prefix) / "share" / "bippop-desk")
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    return None


def icon_files() -> list[Path]:
    """The icon's PNG sizes, smallest first (the SVG when no PNG was built)."""
    folder = resources_dir()
    if folder is None:
        return []
    pngs = sorted(
        (folder / "icons").glob(f"{ICON_NAME}-*.png"),
        key=lambda p: int(p.stem.rsplit("-", 1)[1]),
    )
    svg = folder / "icons" / f"{ICON_NAME}.svg"
    return pngs or ([svg] if svg.exists() else [])


def translations_dir() -> Path | None:
    folder = resources_dir()
    if folder is None or not (folder / "translations").is_dir():
        return None
    return folder / "translations"
