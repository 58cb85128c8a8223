"""The workbook counts its figures in Python while it streams the detail lines
(`period_entries`): those figures must equal the registry's SQL reference
(`hours_figures`), corrections, trainings and meetings included."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.models import HoursEntry, Mission
from bippop_desk.registry.services.hours_report import (
    HoursFigures,
    Period,
    hours_figures,
    period_entries,
)
from bippop_desk.registry.store import Registry
from bippop_desk.reports.hours_workbook import write_hours_workbook
from tests.core.test_week import COORDINATOR, add_hours, add_volunteer


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """The demo commune, plus what the demo never logs: trainings, meetings, other
    activities, corrections (of a visit, of a training, of a correction), a visit's
    entry without its own type (the mission's counts) and a volunteer whose only entry
    in a month is a correction."""
    registry = Registry(tmp_path_factory.mktemp("stream") / "demo.sqlite3", COORDINATOR)
    generate_demo(registry, people=300)
    rng = random.Random(7)
    with registry.session() as session:
        visits = session.execute(
            select(HoursEntry.id, HoursEntry.volunteer_id, HoursEntry.entry_date)
            .where(HoursEntry.kind == "mission")
            .order_by(HoursEntry.entry_date, HoursEntry.id)
        ).all()
        mission = session.execute(
            select(Mission.id, Mission.volunteer_id, Mission.starts_at)
            .where(Mission.volunteer_id.is_not(None))
            .order_by(Mission.starts_at.desc(), Mission.id)
            .limit(1)
        ).one()
    assert len(visits) > 200
    for entry_id, volunteer_id, day in rng.sample(visits, 25):
        later = day + dt.timedelta(days=rng.choice((0, 3, 40)))  # same or next month
        fix = add_hours(
            registry, volunteer_id, later, -15, code=None, kind="correction", corrects=entry_id
        )
        if rng.random() < 0.3:  # a correction of the correction
            add_hours(registry, volunteer_id, later, 5, code=None, kind="correction", corrects=fix)
    for _, volunteer_id, day in rng.sample(visits, 15):
        kind = rng.choice(("formation", "reunion", "autre"))
        training = add_hours(registry, volunteer_id, day, 120, code=None, kind=kind, mileage="7.5")
        if rng.random() < 0.5:
            add_hours(
                registry, volunteer_id, day, -30, code=None, kind="correction", corrects=training
            )
    mission_id, volunteer_id, starts = mission
    add_hours(registry, volunteer_id, starts.date(), 45, code=None, mission_id=mission_id)
    newcomer = add_volunteer(registry, "Zoé", "Abadie")
    first = add_hours(registry, newcomer, visits[0][2], 60, kind="reunion", code=None)
    add_hours(registry, newcomer, visits[-1][2], -60, code=None, kind="correction", corrects=first)
    yield registry
    registry.close()


def streamed(
    registry: Registry, period: Period, *, by_name: bool = True
) -> tuple[list[tuple[dt.date, str, str, str, str, str, int, int]], HoursFigures]:
    with period_entries(registry, period, by_name=by_name) as entries:
        lines = list(entries.lines())
        return lines, entries.figures()


def periods(registry: Registry) -> list[Period]:
    with registry.raw() as conn:
        first, last = (
            dt.date.fromisoformat(day)
            for day in conn.execute(
                "SELECT min(entry_date), max(entry_date) FROM hours_entry"
            ).fetchone()
        )
    middle = first + (last - first) / 2
    return [
        Period.between(first, last),
        Period.between(first - dt.timedelta(days=10), last + dt.timedelta(days=10)),
        Period.month(middle.year, middle.month),
        Period.quarter(middle.year, (middle.month - 1) // 3 + 1),
        Period.between(middle, middle),
        Period.between(first + dt.timedelta(days=17), last - dt.timedelta(days=23)),
        Period.year(last.year + 1),  # nothing logged
    ]


def test_the_streamed_figures_equal_the_registrys_sql_figures(demo: Registry) -> None:
    for period in periods(demo):
        lines, figures = streamed(demo, period)
        reference = hours_figures(demo, period)
        assert figures == reference, period.title
        assert len(lines) == reference.entries
        assert sum(line[6] for line in lines) == reference.total_minutes
        assert sum(line[7] for line in lines) == reference.mileage_tenths


def test_the_demo_plus_its_extras_exercise_every_counting_rule(demo: Registry) -> None:
    whole = periods(demo)[0]
    lines, figures = streamed(demo, whole)
    keys = {category.key for category in figures.categories}
    assert {"formation", "reunion", "autre"} <= keys
    assert {line[1] for line in lines} >= {"Correction", "Intervention", "Formation"}
    # Corrections count under the type of what they correct, never as a category.
    assert "correction" not in keys
    assert figures.missions > 0 and 0 < figures.beneficiaries <= figures.missions
    abadie = next(v for v in figures.per_volunteer if v.first_name == "Zoé")
    assert (abadie.minutes, abadie.missions) == (0, 0)
    assert figures.by_month and all(m.volunteers > 0 for m in figures.by_month.values())


def test_the_lines_come_by_date_then_name_or_by_date_then_id(demo: Registry) -> None:
    period = periods(demo)[0]
    by_name, _ = streamed(demo, period)
    assert by_name == sorted(by_name, key=lambda line: (line[0], line[5], line[4]))
    by_id, figures = streamed(demo, period, by_name=False)
    assert by_id == sorted(by_id, key=lambda line: (line[0], line[3]))
    assert sorted(by_id) == sorted(by_name) and figures == hours_figures(demo, period)


def test_figures_are_only_there_once_the_lines_are_read(demo: Registry) -> None:
    with period_entries(demo, periods(demo)[0]) as entries:
        with pytest.raises(RuntimeError):
            entries.figures()
        lines = entries.lines()
        next(lines)
        with pytest.raises(RuntimeError):
            entries.figures()
        with pytest.raises(RuntimeError):
            next(entries.lines())  # one pass only
        for _ in lines:
            pass
        assert entries.figures().entries > 0


def test_an_abandoned_read_leaves_the_connection_clean(demo: Registry) -> None:
    period = periods(demo)[0]
    with period_entries(demo, period) as entries:
        next(entries.lines())  # e.g. the disk filled up while writing the sheet
    with demo.raw() as conn:
        assert not conn.in_transaction
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 0
    volunteer = add_volunteer(demo, "Inès", "Nouvelle")
    add_hours(demo, volunteer, period.end, 30)
    lines, figures = streamed(demo, period)
    assert figures == hours_figures(demo, period)
    assert any(line[4] == "Inès" for line in lines)


def test_the_workbook_writes_the_streamed_figures(demo: Registry, tmp_path: Path) -> None:
    period = periods(demo)[0]
    figures = hours_figures(demo, period)
    path = tmp_path / "heures.xlsx"
    result = write_hours_workbook(demo, period, path)
    assert (result.entries, result.total_minutes) == (figures.entries, figures.total_minutes)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Synthèse", "Par bénévole", "Détail", "Valorisation", "Paramètres"]
    people = [row for row in book["Par bénévole"].iter_rows(min_row=2, values_only=True)]
    assert [(row[0], row[1]) for row in people[:-1]] == [
        (v.last_name, v.first_name) for v in figures.per_volunteer
    ]
    assert [row[3] for row in people[:-1]] == [v.missions for v in figures.per_volunteer]
    assert [round(row[2] * 60) for row in people[:-1]] == [v.minutes for v in figures.per_volunteer]
    synthesis = {row[0]: row for row in book["Synthèse"].iter_rows(values_only=True) if row}
    last = len(figures.months) + 1
    assert synthesis["Bénéficiaires aidés (personnes distinctes)"][last] == figures.beneficiaries
    assert synthesis["Bénévoles actifs (personnes distinctes)"][last] == figures.volunteers
    for category in figures.categories:
        row = synthesis[category.label]
        assert [round(value * 60) for value in row[1:last]] == [
            figures.minutes_by.get((month, category.key), 0) for month in figures.months
        ]
    assert book["Détail"].max_row == figures.entries + 1
