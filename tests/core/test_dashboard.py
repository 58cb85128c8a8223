"""The dashboard's figures agree with the hours workbook read back from its file, and
its own figures (people offline, new volunteers, register coverage) count right."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text, update

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import Beneficiary, RegisterEntry
from bippop_desk.registry.services.dashboard import dashboard
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.store import Registry
from bippop_desk.reports.hours_workbook import write_hours_workbook
from tests.conftest import SECRETARY


@pytest.fixture
def demo(db_path: Path) -> Registry:
    registry = Registry(db_path, SECRETARY)
    generate_demo(registry, 300)
    return registry


WORKBOOK_INDICATORS = (
    "Interventions",
    "Bénéficiaires aidés (personnes distinctes)",
    "Bénévoles actifs (personnes distinctes)",
)


def workbook_figures(path: Path) -> dict[str, object]:
    """The figures as the workbook's cells hold them (formulas computed here the way a
    spreadsheet does: sums of the literal cells)."""
    book = openpyxl.load_workbook(path)
    synthesis = [list(row) for row in book["Synthèse"].iter_rows(values_only=True)]
    header = synthesis.index(next(r for r in synthesis if r[0] == "Type de mission"))
    total = next(i for i, r in enumerate(synthesis) if r[0] == "Total des heures")
    categories = synthesis[header + 1 : total]
    months = len(categories[0]) - 2
    by_month = [sum(Decimal(str(row[1 + m])) for row in categories) for m in range(months)]
    indicators: dict[object, list[object]] = {}
    for row in synthesis:  # the first rows of these names (the key figures repeat them)
        if row and row[0] in WORKBOOK_INDICATORS:
            indicators.setdefault(row[0], row)
    valuation = [
        list(row)
        for row in book["Valorisation"].iter_rows(min_row=5, values_only=True)
        if row[0] and row[0] != "Total"
    ]
    hours_by_label = {
        row[0]: sum(Decimal(str(c)) for c in row[1 : 1 + months]) for row in categories
    }
    value = sum(
        (hours_by_label[row[0]] * Decimal(str(row[2]))).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for row in valuation
    )
    return {
        "by_month": by_month,
        "hours": sum(by_month),
        "missions": sum(indicators["Interventions"][1 : 1 + months]),
        "people": indicators["Bénéficiaires aidés (personnes distinctes)"][-1],
        "volunteers": indicators["Bénévoles actifs (personnes distinctes)"][-1],
        "value": value,
    }


def test_the_dashboard_agrees_with_the_hours_workbook(demo: Registry, tmp_path: Path) -> None:
    period = Period.year(local_today().year)
    path = tmp_path / "heures.xlsx"
    write_hours_workbook(demo, period, path)
    book = workbook_figures(path)
    board = dashboard(demo, period)
    assert board.hours.total_minutes > 0
    assert board.hours_total == book["hours"]
    assert [hours for _month, hours in board.hours_by_month()] == book["by_month"]
    assert board.hours.missions == book["missions"]
    assert board.hours.beneficiaries == book["people"]
    assert board.hours.volunteers == book["volunteers"]
    assert board.value == book["value"]
    assert sum(t.missions for t in board.missions_by_type) == board.hours.missions


def test_people_reached_offline_are_those_without_internet(demo: Registry) -> None:
    period = Period.year(local_today().year)
    before = dashboard(demo, period)
    assert 0 < before.people_offline <= before.hours.beneficiaries
    with demo.change() as changes:
        changes.session.execute(update(Beneficiary).values(has_internet=True))
    assert dashboard(demo, period).people_offline == 0
    with demo.change() as changes:
        changes.session.execute(update(Beneficiary).values(has_internet=False))
    after = dashboard(demo, period)
    assert after.people_offline == after.hours.beneficiaries
    assert after.offline_share == 1.0


def test_new_volunteers_match_rate_and_register_coverage(demo: Registry) -> None:
    today = local_today()
    board = dashboard(demo, Period.year(today.year))
    assert board.new_volunteers >= 0
    assert board.matching.received > 0 and board.matching.match_rate is not None
    assert board.registered == 0 and board.register_coverage is None
    with demo.session() as session:
        people = session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)).all()
    with demo.change() as changes:
        for index, person in enumerate(people[:40]):
            changes.create(
                RegisterEntry(
                    commune_id=changes.commune_id,
                    beneficiary_id=person,
                    category="age_65",
                    request_date=dt.date(today.year, 1, 2),
                    consent=True,
                    removed_on=dt.date(today.year - 1, 1, 1) if index == 0 else None,
                ),
                "Inscription au registre",
            )
    with demo.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT m.beneficiary_id FROM hours_entry e JOIN mission m "
                "ON m.id = e.mission_id WHERE e.kind != 'correction' AND e.entry_date >= :s "
                "AND e.entry_date <= :e"
            ),
            {"s": dt.date(today.year, 1, 1), "e": dt.date(today.year, 12, 31)},
        )
        reached_people = {r[0] for r in rows}
    board = dashboard(demo, Period.year(today.year))
    assert board.registered == 39  # one entry was removed before the period ended
    assert board.registered_reached == len(set(people[1:40]) & reached_people)
