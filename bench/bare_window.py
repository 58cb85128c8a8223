"""The floor of the `startup` bench: the plainest PySide6 window showing the registry.

A QMainWindow with a QTableView over a minimal lazy QAbstractTableModel: it reads the
beneficiary ids ordered by name with raw sqlite3, then fetches rows in blocks when the
view asks for them (only the visible part is ever read). At the first paint with data
it prints `painted <seconds since process start>` and exits, as the app does with
`--exit-after-paint`.

    QT_QPA_PLATFORM=offscreen python -m bench.bare_window --db REGISTRY
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

from bippop_desk.memory import peak_rss_mb

_IMPORTED = time.perf_counter()

BLOCK = 100
HEADERS = ("Nom", "Prénom", "Naissance", "Téléphone", "Adresse", "Commune", "Internet", "Statut")
Index = QModelIndex | QPersistentModelIndex


def seconds_since_process_start() -> float:
    """Wall-clock seconds since this process was started (Linux /proc; else since import)."""
    try:
        with open("/proc/self/stat") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as uptime:
            now = float(uptime.read().split()[0])
        return now - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


class BareModel(QAbstractTableModel):
    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__()
        self.conn = conn
        self.ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM beneficiary WHERE deleted_at IS NULL ORDER BY last_name, first_name"
            )
        ]
        self.blocks: dict[int, dict[str, tuple[Any, ...]]] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        number = index.row() // BLOCK
        block = self.blocks.get(number)
        if block is None:
            block = self.blocks[number] = self._fetch(number)
        row = block.get(self.ids[index.row()])
        return None if row is None else row[index.column()]

    def _fetch(self, number: int) -> dict[str, tuple[Any, ...]]:
        ids = self.ids[number * BLOCK : (number + 1) * BLOCK]
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT id, last_name, first_name, birth_date, phone, address_line, city, "
            f"has_internet, status FROM beneficiary WHERE id IN ({marks})",
            ids,
        )
        return {row[0]: row[1:] for row in rows}


class BareTable(QTableView):
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if isinstance(model, BareModel) and model.blocks and not getattr(self, "done", False):
            self.done = True
            print(f"painted {seconds_since_process_start():.3f}", flush=True)
            print(f"peak_rss_mb {peak_rss_mb():.0f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    window = QMainWindow()
    window.setWindowTitle("Bare window")
    table = BareTable()
    table.setModel(BareModel(conn))
    window.setCentralWidget(table)
    window.resize(1200, 800)
    window.show()
    code = app.exec()
    conn.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
