"""The window paints before SQLAlchemy is imported (ARCHITECTURE, Start-up): the modules
the GUI thread imports to build the first window must not pull in the ORM, httpx or the
keyring — each costs tenths of a second on a town-hall PC (bench `startup`)."""

from __future__ import annotations

import subprocess
import sys

FIRST_WINDOW = (
    "bippop_desk.cli",
    "bippop_desk.ui.app",
    "bippop_desk.ui.main_window",
    "bippop_desk.ui.signin",
    "bippop_desk.ui.form_dialog",
    "bippop_desk.ui.sync_controller",
    "bippop_desk.ui.sync_status",
    "bippop_desk.ui.pages.beneficiaries",
)


def test_the_first_window_imports_neither_the_orm_nor_the_network_nor_the_keyring() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in FIRST_WINDOW)
        + "print(' '.join(m for m in ('sqlalchemy', 'httpx', 'keyring') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
