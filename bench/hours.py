"""Hours workbook: a year with 100,000 hours entries, against raw openpyxl write-only
writing the same detail cells (same values and number formats) in the same run.
Targets: ≤ 1.3 × the floor; peak resident memory of the export ≤ 250 MB.

Each side runs in its own child process, which reports its own time and peak RSS: this
process holds other things and must not count. The peak is the child's own `VmHWM`
(Linux): `ru_maxrss` survives exec, so a child started while this process was large
(say, just after building the demo registry) would report this process's peak instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import demo_registry_file, median, report

TARGET_RATIO = 1.3
MAX_RSS_MB = 250
MIN_ENTRIES = 100_000
# ~1.2 hours entries a year per demo beneficiary: 100,000 people give ~122,000 entries
# (the cached registry other benches use too).
PEOPLE, VOLUNTEERS = 100_000, 20_000
RUNS = 3
ROOT = Path(__file__).resolve().parent.parent


def _child_ours(db: str, out: str, start: str, end: str) -> dict[str, float]:
    import datetime as dt

    from bippop_desk.registry.services.hours_report import Period
    from bippop_desk.registry.store import Registry
    from bippop_desk.reports.hours_workbook import write_hours_workbook

    with Registry(db, migrate=False) as registry:
        started = time.perf_counter()
        period = Period.between(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        result = write_hours_workbook(registry, period, out)
        return {"seconds": time.perf_counter() - started, "entries": result.entries}


def _child_floor(db: str, out: str, start: str, end: str) -> dict[str, float]:
    """The plainest way to write the same big cells: raw sqlite3 queries, openpyxl
    write-only with reused styled cells, the per-volunteer rows and the detail rows."""
    import datetime as dt
    import sqlite3

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    started = time.perf_counter()
    conn = sqlite3.connect(db)
    book = Workbook(write_only=True)
    volunteers = book.create_sheet("Par bénévole")
    sheet = book.create_sheet("Détail")
    hours, count, km, date = (WriteOnlyCell(sheet) for _ in range(4))
    hours.number_format, count.number_format = "#,##0.00", "#,##0"
    km.number_format, date.number_format = "#,##0.0", "DD/MM/YYYY"
    volunteers.append(["Nom", "Prénom", "Heures", "Interventions", "Kilomètres"])
    for last, first, minutes, missions, mileage in conn.execute(
        "SELECT v.last_name, v.first_name, sum(e.minutes), count(DISTINCT e.mission_id), "
        "sum(e.mileage_km) FROM hours_entry e JOIN volunteer v ON v.id = e.volunteer_id "
        "WHERE e.entry_date BETWEEN ? AND ? GROUP BY e.volunteer_id "
        "ORDER BY v.last_name, v.first_name",
        (start, end),
    ):
        hours.value, count.value, km.value = minutes / 60, missions, float(mileage or 0)
        volunteers.append([last, first, hours, count, km])
    sheet.append(["Date", "Nature", "Type de mission", "Bénévole", "Durée (h)", "Kilomètres"])
    rows = conn.execute(
        "SELECT e.entry_date, e.kind, t.label, v.last_name || ' ' || v.first_name, "
        "e.minutes, e.mileage_km FROM hours_entry e JOIN volunteer v ON v.id = e.volunteer_id "
        "LEFT JOIN mission_type t ON t.id = e.mission_type_id "
        "WHERE e.entry_date BETWEEN ? AND ? "
        "ORDER BY e.entry_date, v.last_name, v.first_name, e.created_at",
        (start, end),
    )
    written = 0
    for day, kind, label, name, minutes, mileage in rows:
        date.value = dt.date.fromisoformat(day)
        hours.value = minutes / 60
        km.value = float(mileage or 0)
        sheet.append([date, kind, label, name, hours, km])
        written += 1
    book.save(out)
    return {"seconds": time.perf_counter() - started, "entries": written}


def _in_child(kind: str, db: Path, out: Path, start: str, end: str) -> dict[str, float]:
    code = (
        "import json, sys\n"
        f"from bench.hours import _child_{kind} as work\n"
        "from bippop_desk.memory import peak_rss_mb\n"
        "result = work(*sys.argv[1:])\n"
        "result['max_rss_mb'] = peak_rss_mb()\n"
        "print(json.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), str(out), start, end],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run() -> dict[str, object]:
    import datetime as dt
    import sqlite3
    import tempfile

    db = demo_registry_file(PEOPLE, VOLUNTEERS)
    with sqlite3.connect(db) as conn:
        last = dt.date.fromisoformat(
            conn.execute("SELECT max(entry_date) FROM hours_entry").fetchone()[0]
        )
    first = last - dt.timedelta(days=364)
    start, end = first.isoformat(), last.isoformat()
    folder = Path(tempfile.mkdtemp(prefix="bippop-bench-hours-"))
    ours, floors = [], []
    try:
        for run_index in range(RUNS):
            ours.append(_in_child("ours", db, folder / f"ours-{run_index}.xlsx", start, end))
            floors.append(_in_child("floor", db, folder / f"floor-{run_index}.xlsx", start, end))
        xlsx_mb = round((folder / "ours-0.xlsx").stat().st_size / 1e6, 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    value = median([r["seconds"] for r in ours])
    floor = median([r["seconds"] for r in floors])
    peak = max(r["max_rss_mb"] for r in ours)
    entries = int(ours[0]["entries"])
    ok = value <= TARGET_RATIO * floor and peak <= MAX_RSS_MB and entries >= MIN_ENTRIES
    return report(
        "hours",
        value,
        "s",
        TARGET_RATIO,
        floor,
        ok,
        entries=entries,
        period=f"{start} → {end}",
        peak_rss_mb=round(peak, 1),
        floor_peak_rss_mb=round(max(r["max_rss_mb"] for r in floors), 1),
        max_rss_mb=MAX_RSS_MB,
        runs=[round(r["seconds"], 2) for r in ours],
        floor_runs=[round(r["seconds"], 2) for r in floors],
        xlsx_mb=xlsx_mb,
    )


if __name__ == "__main__":
    run()
