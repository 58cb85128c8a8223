"""A rotating log file in the user's data folder (never personal data at INFO level)."""

from __future__ import annotations

import logging
import logging.handlers
import os


def setup_logging() -> None:
    root = logging.getLogger()
    if any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        return
    from bippop_desk.paths import log_dir

    try:
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir() / "bippop-desk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()  # read-only or full disk: still log somewhere
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(os.environ.get("BIPPOP_DESK_LOG_LEVEL", "INFO"))
