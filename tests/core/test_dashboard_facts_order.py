"""A desk applies pulled records in the server's change order, not parent first: hours
entries may arrive before their mission, volunteer, person or the entry they correct.
The dashboard's resolved facts must still end up equal to the workbook's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bippop_desk.registry.changes import to_jsonable
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import Base
from bippop_desk.registry.models.sync import LOCAL_ONLY_FIELDS, SYNCED_ENTITIES
from bippop_desk.registry.remote import apply_remote
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.services.hours import HoursInput, add_hours, correct_hours
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY
from tests.core.test_dashboard_facts import assert_agrees
from tests.core.test_volunteers import COORDINATOR

# Children first: the worst order a pull can bring.
CHILDREN_FIRST = ("hours_entry", "mission", "request", "volunteer", "beneficiary")


def pulled_changes(source: Registry) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    order = [*CHILDREN_FIRST, *(e for e in SYNCED_ENTITIES if e not in CHILDREN_FIRST)]
    with source.engine.connect() as conn:
        for entity in order:
            table = Base.metadata.tables.get(entity)
            if table is None:
                continue
            names = [c.key for c in table.columns if c.key not in LOCAL_ONLY_FIELDS]
            rows = conn.execute(select(*[table.c[n] for n in names]).order_by(table.c.id))
            # Hours: corrections before the entries they correct.
            if entity == "hours_entry":
                rows = sorted(rows, key=lambda row: row._mapping["corrects_entry_id"] is None)
            for row in rows:
                fields = {n: to_jsonable(v) for n, v in zip(names, row, strict=True)}
                record_id = fields.pop("id")
                fields.pop("commune_id", None)
                version = len(changes) + 1
                changes.append(
                    {"seq": version, "entity": entity, "record_id": record_id, "op": "upsert",
                     "version": version, "fields": fields, "extra": {}, "origin_device": None}
                )  # fmt: skip
    return changes


@pytest.mark.parametrize("page_size", [7, 100_000], ids=["row by row", "one bulk page"])
def test_facts_resolve_when_parents_arrive_after_their_hours(
    tmp_path: Path, page_size: int
) -> None:
    source = Registry(tmp_path / "source.sqlite3", SECRETARY)
    generate_demo(source, 60)
    source.actor = COORDINATOR
    with source.session() as session:
        from bippop_desk.registry.models import HoursEntry

        entry = session.scalars(select(HoursEntry).where(HoursEntry.kind == "mission")).first()
        assert entry is not None
    correct_hours(source, entry.id, minutes=entry.minutes + 45, reason="oubli")
    period = Period.year(local_today().year)
    changes = pulled_changes(source)
    source.close()

    desk = Registry(tmp_path / "desk.sqlite3", SECRETARY)
    setup_commune(desk, "60159", "Compiègne", "60", "60200")
    for start in range(0, len(changes), page_size):
        apply_remote(desk, changes[start : start + page_size])
    # A last entry written here and resolved at once: the dashboard's self-check of the
    # newest fact then passes, so only the triggers can have put the older ones right.
    desk.actor = COORDINATOR
    volunteer = next(c["record_id"] for c in changes if c["entity"] == "volunteer")
    add_hours(desk, HoursInput(volunteer, local_today(), 90, "formation"))
    assert_agrees(desk, period)
    desk.close()
