"""Where the app keeps its files on this computer (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "bippop-desk"


def data_dir() -> Path:
    """The user's data folder; `BIPPOP_DESK_HOME` overrides it (tests, portable installs)."""
    override = os.environ.get("BIPPOP_DESK_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_DIR_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "registre.sqlite3"


def db_path(given: str | None) -> Path:
    """The registry file: the one given (`--db`, `~` expanded), else the user's own."""
    return Path(given).expanduser() if given else default_db_path()


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_dir() -> Path:
    """Default folder for PDFs and workbooks the staff export."""
    docs = Path(platformdirs.user_documents_dir()) / "Bip Pop Desk"
    docs.mkdir(parents=True, exist_ok=True)
    return docs
