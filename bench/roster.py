"""Roster: 500 missions in one week, printed per day, against raw reportlab laying out
the same rows in one table (same font, widths and wrapping) in the same run.
Target: ≤ 1.3 × the floor."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from sqlalchemy import insert, select

from bench.common import demo_registry_file, median, report, scratch_copy

TARGET_RATIO = 1.3
MISSIONS = 500
WEEK = (2030, 10)  # far from the demo's own missions: the week holds exactly ours
RUNS = 3


def _fill_week(registry: Any) -> None:
    from bippop_desk.registry.models import Beneficiary, Mission, MissionType, Volunteer, new_id
    from bippop_desk.registry.services.week import week_monday

    rng = random.Random(48)
    monday = week_monday(*WEEK)
    with registry.engine.begin() as conn:
        people = list(conn.scalars(select(Beneficiary.id)))
        volunteers = list(conn.scalars(select(Volunteer.id).where(Volunteer.status == "valide")))
        types = list(conn.scalars(select(MissionType.id)))
        notes = [
            "",
            "Apporter le journal.",
            "Rappeler la veille. La personne entend mal : parler lentement et fort, "
            "et vérifier qu'elle a bien noté le rendez-vous suivant sur son calendrier.",
        ]
        rows = []
        for i in range(MISSIONS):
            start = dt.datetime.combine(
                monday + dt.timedelta(days=i % 7), dt.time(8 + rng.randrange(10), 30 * (i % 2))
            )
            rows.append(
                {
                    "id": new_id(),
                    "commune_id": registry.commune_id,
                    "beneficiary_id": rng.choice(people),
                    "mission_type_id": rng.choice(types),
                    "volunteer_id": rng.choice(volunteers),
                    "starts_at": start,
                    "ends_at": start + dt.timedelta(minutes=90),
                    "notes": rng.choice(notes),
                }
            )
        conn.execute(insert(Mission), rows)


def _floor(week: Any) -> float:
    """Raw reportlab: one table of the same rows, header repeated, nothing else."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from bippop_desk.reports.roster import COLUMNS, MARGIN, PAGE, _styles

    styles = _styles()
    width = PAGE[0] - 2 * MARGIN
    widths = [share * width for _, share in COLUMNS["day"]]
    rows = [
        (
            f"{m.starts_at:%H:%M}–{m.ends_at:%H:%M}",
            m.volunteer_name,
            m.beneficiary_name,
            f"{m.address} Accès : {m.access_notes}",
            m.phone,
            m.mission_type_label,
            f"{m.notes} {m.request_notes}",
        )
        for m in week.missions()
    ]
    started = time.perf_counter()
    cell = styles["cell"]
    data = [[Paragraph(escape(name), styles["head"]) for name, _ in COLUMNS["day"]]]
    data += [[Paragraph(escape(text), cell) for text in row] for row in rows]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=PAGE).build([Table(data, colWidths=widths, repeatRows=1)])
    return time.perf_counter() - started


def run() -> dict[str, object]:
    from bippop_desk.registry.services.week import week_missions
    from bippop_desk.registry.store import Registry
    from bippop_desk.reports.roster import roster_pdf

    path = scratch_copy(demo_registry_file(300, 60))
    with Registry(path) as registry:
        _fill_week(registry)
        week = week_missions(registry, *WEEK)
        assert week.mission_count() == MISSIONS
        roster_pdf(week, "day")  # warm-up: font registration, imports
        ours, floors, pages = [], [], 0
        for _ in range(RUNS):
            started = time.perf_counter()
            pdf, pages = roster_pdf(week_missions(registry, *WEEK), "day")
            ours.append(time.perf_counter() - started)
            floors.append(_floor(week))
        started = time.perf_counter()
        _, volunteer_pages = roster_pdf(week_missions(registry, *WEEK), "volunteer")
        by_volunteer = time.perf_counter() - started
    value, floor = median(ours), median(floors)
    return report(
        "roster",
        value,
        "s",
        TARGET_RATIO,
        floor,
        value <= TARGET_RATIO * floor,
        missions=MISSIONS,
        pages=pages,
        pdf_bytes=len(pdf),
        runs=[round(t, 3) for t in ours],
        floor_runs=[round(t, 3) for t in floors],
        by_volunteer_s=round(by_volunteer, 3),
        by_volunteer_pages=volunteer_pages,
    )


if __name__ == "__main__":
    run()
