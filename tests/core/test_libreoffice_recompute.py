"""LibreOffice recomputes the hours workbook: every formula total equals the registry's
own figure to the cent, and hostile names stay text.

`soffice` comes from Debian's libreoffice-calc-nogui, which `make test` installs when
it runs as root (installer/debian-deps.sh test): wherever LibreOffice is installed, this
test runs. Without it the test fails under CI and, on a developer machine, is skipped
with a banner on the terminal (not only a line in pytest's summary).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.demo import generate_demo
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.services.hours_report import HoursFigures, Period, hours_figures, hours_of
from bippop_desk.registry.services.settings import HourlyRates, hourly_rates, set_hourly_rate
from bippop_desk.registry.store import Registry
from bippop_desk.reports.hours_workbook import write_hours_workbook
from tests.core.test_hours_workbook import HOSTILE
from tests.core.test_week import COORDINATOR, add_hours, add_volunteer

pytestmark = pytest.mark.slow
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice(config: pytest.Config) -> None:
    """Fail under CI, skip elsewhere; either way say it on the terminal itself."""
    if SOFFICE is not None:
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is missing: install libreoffice-calc-nogui")
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # straight to the terminal
            terminal.write_line("")
            terminal.write_line(
                "LibreOffice is not installed: the workbook's formulas are NOT recomputed. "
                "sudo apt-get install libreoffice-calc-nogui",
                red=True,
                bold=True,
            )
    pytest.skip(
        "LibreOffice (soffice) is not installed: sudo apt-get install libreoffice-calc-nogui"
    )


def recompute(files: list[Path], out: Path, profile: Path) -> list[Path]:
    """LibreOffice opens each workbook, computes every formula, and saves a copy."""
    out.mkdir()
    command = [
        SOFFICE,
        # A private profile: never the user's, never locked by another running office.
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--calc",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(out),
        *map(str, files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    converted = [out / file.name for file in files]
    assert all(path.exists() for path in converted), f"LibreOffice wrote {list(out.iterdir())}"
    return converted


@pytest.fixture(scope="module")
def recomputed(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[dict[str, Any]]:
    """A demo commune's last 14 months with odd hourly rates, plus a workbook of hostile
    names, both recomputed by one LibreOffice run."""
    require_soffice(pytestconfig)
    folder = tmp_path_factory.mktemp("recompute")
    registry = Registry(folder / "demo.sqlite3", COORDINATOR)
    generate_demo(registry, people=300)
    # Rates whose products land on half cents test the rounding of every line.
    set_hourly_rate(registry, "visite", Decimal("17.43"))
    set_hourly_rate(registry, "appel", Decimal("13.99"))
    set_hourly_rate(registry, "acc_courses", Decimal("21.07"))
    today = local_today()
    period = Period.between(today.replace(day=1) - dt.timedelta(days=400), today)
    write_hours_workbook(registry, period, folder / "demo.xlsx")

    hostile = Registry(folder / "hostile.sqlite3", COORDINATOR)
    setup_commune(hostile, "60159", "Compiègne", "60", "60200")
    for name in HOSTILE:
        add_hours(hostile, add_volunteer(hostile, "X", name), dt.date(2026, 1, 5), 60)
    write_hours_workbook(hostile, Period.year(2026), folder / "hostile.xlsx")

    demo_out, hostile_out = recompute(
        [folder / "demo.xlsx", folder / "hostile.xlsx"], folder / "out", folder / "profile"
    )
    yield {
        "figures": hours_figures(registry, period),
        "rates": hourly_rates(registry),
        "book": openpyxl.load_workbook(demo_out, data_only=True),
        "hostile": openpyxl.load_workbook(hostile_out, data_only=True),
    }
    registry.close()
    hostile.close()


def cents(value: Any) -> Decimal:
    assert isinstance(value, int | float), f"not a computed number: {value!r}"
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def row_of(sheet: Any, label: str) -> tuple[Any, ...]:
    return next(row for row in sheet.iter_rows(values_only=True) if row and row[0] == label)


def test_every_synthesis_total_equals_the_registrys_hours_to_the_cent(
    recomputed: dict[str, Any],
) -> None:
    figures: HoursFigures = recomputed["figures"]
    sheet = recomputed["book"]["Synthèse"]
    assert figures.entries > 300
    for category in figures.categories:
        row = row_of(sheet, category.label)
        assert cents(row[len(figures.months) + 1]) == hours_of(
            figures.category_minutes(category.key)
        )
    totals = row_of(sheet, "Total des heures")
    for index, month in enumerate(figures.months, start=1):
        month_minutes = sum(figures.minutes_by.get((month, c.key), 0) for c in figures.categories)
        assert cents(totals[index]) == hours_of(month_minutes)
    assert cents(totals[len(figures.months) + 1]) == hours_of(figures.total_minutes)
    assert row_of(sheet, "Interventions")[len(figures.months) + 1] == figures.missions


def test_the_key_figures_equal_the_registrys(recomputed: dict[str, Any]) -> None:
    figures: HoursFigures = recomputed["figures"]
    rates: HourlyRates = recomputed["rates"]
    sheet = recomputed["book"]["Synthèse"]
    assert cents(row_of(sheet, "Heures de bénévolat")[1]) == hours_of(figures.total_minutes)
    assert row_of(sheet, "Interventions")[len(figures.months) + 1] == figures.missions
    assert row_of(sheet, "Bénéficiaires aidés")[1] == figures.beneficiaries
    assert row_of(sheet, "Bénévoles actifs")[1] == figures.volunteers
    assert cents(row_of(sheet, "Kilomètres parcourus")[1]) == figures.mileage_km
    assert cents(row_of(sheet, "Valorisation")[1]) == figures.total_value(rates)


def test_per_volunteer_totals_equal_the_registrys(recomputed: dict[str, Any]) -> None:
    figures: HoursFigures = recomputed["figures"]
    total = row_of(recomputed["book"]["Par bénévole"], "Total")
    assert cents(total[2]) == hours_of(figures.total_minutes)
    assert total[3] == sum(v.missions for v in figures.per_volunteer)
    assert cents(total[4]) == figures.mileage_km


def test_every_valuation_line_and_the_total_value_equal_the_registrys_to_the_cent(
    recomputed: dict[str, Any],
) -> None:
    figures: HoursFigures = recomputed["figures"]
    rates: HourlyRates = recomputed["rates"]
    sheet = recomputed["book"]["Valorisation"]
    for line in figures.valuation(rates):
        row = row_of(sheet, line.category.label)
        assert cents(row[1]) == hours_of(line.minutes)
        assert cents(row[3]) == line.value, line.category.label
    total = row_of(sheet, "Total")
    assert cents(total[3]) == figures.total_value(rates)
    assert cents(total[1]) == hours_of(figures.total_minutes)


def test_hostile_names_are_still_plain_text_after_libreoffice_opened_them(
    recomputed: dict[str, Any],
) -> None:
    names = [row[0] for row in recomputed["hostile"]["Par bénévole"].iter_rows(min_row=2)]
    values = [cell.value for cell in names]
    for name in HOSTILE:
        assert name in values or name.replace("\r", "\n") in values, name
    assert all(cell.data_type == "s" for cell in names[:-1])  # the last row is the total
