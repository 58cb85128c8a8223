"""`planning`: the week view with 2,000 missions, built (query + model) and painted.

Target: ≤ 200 ms (median of 7). Floor: the same week's rows fetched with raw sqlite3 and
shown as plain text in a QTableView over a trivial model, painted the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from bench.common import cache_dir, median, report

MISSIONS = 2_000
VOLUNTEERS = 400
PEOPLE = 1_500
ISO_YEAR, ISO_WEEK = 2030, 10
TARGET_MS = 200.0


def build_registry() -> Path:
    from sqlalchemy import insert

    from bippop_desk.registry.migrate import head_revision
    from bippop_desk.registry.models import Beneficiary, Mission, MissionType, Volunteer, new_id
    from bippop_desk.registry.services.commune import setup_commune
    from bippop_desk.registry.services.week import week_monday
    from bippop_desk.registry.store import Registry

    path = cache_dir() / f"planning-{MISSIONS}-{head_revision()}.sqlite3"
    if path.exists():
        return path
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    rng = random.Random(7)
    with Registry(building) as registry:
        commune = setup_commune(registry, "60159", "Compiègne", "60", "60200")
        with registry.engine.begin() as conn:
            types = list(
                conn.scalars(MissionType.__table__.select().with_only_columns(MissionType.id))
            )
            people = [
                {
                    "id": new_id(),
                    "commune_id": commune,
                    "first_name": f"Prénom{i}",
                    "last_name": f"Nom{i}",
                    "address_line": f"{i} rue de Paris",
                    "city": "Compiègne",
                    "phone": "+33344000000",
                }
                for i in range(PEOPLE)
            ]
            staff = [
                {
                    "id": new_id(),
                    "commune_id": commune,
                    "first_name": f"Bénévole{i}",
                    "last_name": f"Équipe{i}",
                    "status": "valide",
                }
                for i in range(VOLUNTEERS)
            ]
            conn.execute(insert(Beneficiary), people)
            conn.execute(insert(Volunteer), staff)
            monday = week_monday(ISO_YEAR, ISO_WEEK)
            missions = []
            for _ in range(MISSIONS):
                start = dt.datetime.combine(
                    monday + dt.timedelta(days=rng.randrange(7)),
                    dt.time(rng.randrange(8, 18), rng.choice((0, 30))),
                )
                missions.append(
                    {
                        "id": new_id(),
                        "commune_id": commune,
                        "beneficiary_id": rng.choice(people)["id"],
                        "mission_type_id": rng.choice(types),
                        "volunteer_id": rng.choice(staff)["id"],
                        "starts_at": start,
                        "ends_at": start + dt.timedelta(hours=1),
                        "status": rng.choice(("planifiee", "planifiee", "realisee", "annulee")),
                    }
                )
            conn.execute(insert(Mission), missions)
    os.replace(building, path)
    return path


def _floor_rows(path: Path) -> list[tuple[Any, ...]]:
    monday = dt.date.fromisocalendar(ISO_YEAR, ISO_WEEK, 1)
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT v.first_name || ' ' || v.last_name, m.starts_at, "
            "b.first_name || ' ' || b.last_name, t.label, m.status FROM mission m "
            "JOIN volunteer v ON v.id = m.volunteer_id "
            "JOIN beneficiary b ON b.id = m.beneficiary_id "
            "JOIN mission_type t ON t.id = m.mission_type_id "
            "WHERE m.starts_at >= ? AND m.starts_at < ? ORDER BY m.starts_at",
            (f"{monday} 00:00:00", f"{monday + dt.timedelta(days=7)} 00:00:00"),
        ).fetchall()
    finally:
        conn.close()


def _plain_model() -> Any:
    """The floor's model: one string per cell, nothing else."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

    class Plain(QAbstractTableModel):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[list[str]] = []

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return len(self.cells)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 7

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role != Qt.ItemDataRole.DisplayRole:
                return None
            return self.cells[index.row()][index.column()]

    return Plain()


def run() -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QTableView

    from bippop_desk.registry.services.week import week_missions
    from bippop_desk.registry.store import Registry
    from bippop_desk.ui.pages.planning import WeekGrid, WeekModel

    app = QApplication.instance() or QApplication([])
    path = build_registry()
    registry = Registry(path)

    model = WeekModel()
    grid = WeekGrid(model)
    grid.resize(1280, 800)
    grid.show()

    plain = _plain_model()
    plain_view = QTableView()
    plain_view.setModel(plain)
    plain_view.resize(1280, 800)
    plain_view.show()

    def ours() -> float:
        started = time.perf_counter()
        model.set_week(week_missions(registry, ISO_YEAR, ISO_WEEK))
        grid.grab()
        return (time.perf_counter() - started) * 1000

    def floor() -> float:
        started = time.perf_counter()
        rows = _floor_rows(path)
        by_volunteer: dict[str, list[list[str]]] = {}
        for volunteer, starts, person, label, _status in rows:
            day = dt.datetime.fromisoformat(starts).weekday()
            by_volunteer.setdefault(volunteer, [[] for _ in range(7)])[day].append(
                f"{starts[11:16]} {person} {label}"
            )
        plain.beginResetModel()
        plain.cells = [["\n".join(c) for c in cells] for cells in by_volunteer.values()]
        plain.endResetModel()
        plain_view.resizeRowsToContents()
        plain_view.grab()
        return (time.perf_counter() - started) * 1000

    ours(), floor()  # warm caches (fonts, imports)
    ours_times, floor_times = [], []
    for _ in range(7):
        ours_times.append(ours())
        floor_times.append(floor())
    app.processEvents()
    shown = model.week.mission_count() if model.week else 0
    rows = model.rowCount()
    registry.close()
    # Tear the widgets down while Qt is alive (not at interpreter exit).
    grid.close()
    plain_view.close()
    grid.deleteLater()
    plain_view.deleteLater()
    app.processEvents()
    value, floor_value = median(ours_times), median(floor_times)
    return report(
        "planning",
        value,
        "ms",
        TARGET_MS,
        floor_value,
        value <= TARGET_MS,
        missions_in_week=shown,
        volunteer_rows=rows,
        runs_ms=[round(t, 1) for t in ours_times],
        floor_runs_ms=[round(t, 1) for t in floor_times],
    )


if __name__ == "__main__":
    run()
