"""Import: 10,000 beneficiaries from an .xlsx into an empty commune, checked row by row
(the preview) and written with their audit events and outbox entries (the import).
Target: ≤ 5 s. Floor, same run: python-calamine's raw read of the same file plus one
sqlite3 executemany of the same rows into a bare table (no checks, no journal).

`python -m bench import` (alias of this module's name, `import_bench`).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import median, report

ROWS = 10_000
TARGET_S = 5.0
RUNS = 3


def _workbook(path: Path) -> Path:
    """Like a commune's list: a title row, "NOM Prénom", dates, phones typed any way."""
    import datetime as dt

    import openpyxl

    from bippop_desk.registry.demo_names import FEMALE_FIRST, LAST

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Liste")
    sheet.append(["CCAS — liste des personnes suivies"])
    sheet.append(["NOM Prénom", "Né(e) le", "Téléphone", "Adresse", "Code postal", "Ville"])
    for index in range(ROWS):
        last = LAST[index % len(LAST)].upper()
        first = FEMALE_FIRST[index // len(LAST) % len(FEMALE_FIRST)]
        born = dt.date(1925 + index % 60, 1 + index % 12, 1 + index % 28)
        phone = f"06 {index // 10000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d} 10"
        sheet.append(
            [
                f"{last} {first}",
                born if index % 2 else born.strftime("%d/%m/%Y"),
                phone,
                f"{index % 300 + 1} rue de la Paix",
                "60200",
                "Compiègne",
            ]
        )
    book.save(path)
    return path


def _ours(folder: Path, source: Path, run: int) -> float:
    from bippop_desk.registry.changes import Actor
    from bippop_desk.registry.importing import apply_import, prepare_import
    from bippop_desk.registry.services.commune import setup_commune
    from bippop_desk.registry.store import Registry

    db = folder / f"ours-{run}.sqlite3"
    with Registry(db, Actor("bench", "Bench", "administrateur")) as registry:
        setup_commune(registry, "60159", "Compiègne", "60", "60200")
        started = time.perf_counter()
        plan = prepare_import(registry, source, "beneficiaries")
        result = apply_import(registry, plan)
        elapsed = time.perf_counter() - started
    if result.created != ROWS:
        raise RuntimeError(f"imported {result.created} of {ROWS}: {plan.rejected[:3]}")
    return elapsed


def _floor(folder: Path, source: Path, run: int) -> float:
    from python_calamine import CalamineWorkbook

    db = folder / f"floor-{run}.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE person (name TEXT, born TEXT, phone TEXT, street TEXT, pc TEXT, city TEXT)"
    )
    started = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0).to_python()
    with conn:
        conn.executemany(
            "INSERT INTO person VALUES (?, ?, ?, ?, ?, ?)",
            [tuple(str(cell) for cell in row[:6]) for row in rows[2:]],
        )
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def run() -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="bippop-bench-import-"))
    try:
        source = _workbook(folder / "liste.xlsx")
        ours, floors = [], []
        for index in range(RUNS):
            ours.append(_ours(folder, source, index))
            floors.append(_floor(folder, source, index))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    value, floor = median(ours), median(floors)
    return report(
        "import",
        value,
        "s",
        TARGET_S,
        floor,
        value <= TARGET_S,
        rows=ROWS,
        runs_s=[round(v, 2) for v in ours],
        floor_runs_s=[round(v, 3) for v in floors],
    )


if __name__ == "__main__":
    run()
