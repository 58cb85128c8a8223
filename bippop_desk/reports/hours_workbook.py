"""The volunteer-hours workbook (.xlsx) for the conseil départemental.

Sheets: Synthèse (hours by month × mission type, key figures), Par bénévole, Détail
(one line per hours entry, nothing about beneficiaries), Valorisation (hours × hourly
rate), Paramètres (who, what, when). Totals are spreadsheet formulas; every figure
comes from `registry.services.hours_report`. The workbook is written in write-only
mode (a large city's year stays within a small memory budget), and no exported text
can become a formula (see `safe_cells`). No Qt; may run on the database worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bippop_desk import __version__
from bippop_desk.registry.clock import local_now
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.services.hours_report import (
    CENT,
    Period,
    hours_of,
    period_entries,
)
from bippop_desk.registry.services.settings import hourly_rates, pseudonym_key
from bippop_desk.registry.store import Registry
from bippop_desk.reports import hours_sheets as sheets
from bippop_desk.reports import xlsx_style as xs
from bippop_desk.reports.safe_cells import text_cell

SHEET_NAMES = ("Synthèse", "Par bénévole", "Détail", "Valorisation", "Paramètres")
COUNTING_RULES = (
    "Heures nettes : les corrections (saisies négatives) comptent à leur propre date.",
    "Interventions : interventions distinctes ayant une saisie d'heures sur la période.",
    "Bénéficiaires aidés, bénévoles actifs : personnes distinctes sur la période.",
    "Formations, réunions : comptées sous leur nature, sans type de mission.",
    "Valorisation : heures × taux horaire, arrondie au centime par type de mission.",
)


@dataclass(frozen=True)
class WorkbookResult:
    path: Path
    entries: int
    total_minutes: int

    @property
    def hours_text(self) -> str:
        """ "1 234,50": the total hours the French way."""
        text = f"{hours_of(self.total_minutes):,.2f}"
        return text.replace(",", "\u202f").replace(".", ",")


def write_hours_workbook(
    registry: Registry,
    period: Period,
    path: Path | str,
    *,
    pseudonymise: bool = False,
    generated_by: str | None = None,
    generated_at: dt.datetime | None = None,
) -> WorkbookResult:
    """Write the period's workbook to `path` (through a temporary name, so a failed
    export never leaves a half-written file under the real name).

    With `pseudonymise`, volunteers appear only as stable codes (see `pseudonym`).
    """
    commune = registry.commune()
    rates = hourly_rates(registry)
    names = sheets.Names(pseudonym_key(registry) if pseudonymise else None)
    book = Workbook(write_only=True)
    synthesis, volunteers, detail, valuation, parameters = (
        book.create_sheet(name) for name in SHEET_NAMES
    )
    # One read of the period: the detail lines stream into their sheet while every other
    # figure is counted, so figures and lines always agree. The figure sheets come after
    # (write-only sheets fill in any order and keep the order they were created in).
    with period_entries(registry, period, by_name=not pseudonymise) as entries:
        written = sheets.detail(detail, entries.lines(), names)
        figures = entries.figures()
    layout = sheets.Layout(figures, pseudonymise)
    sheets.synthesis(synthesis, layout, commune.name)
    sheets.per_volunteer(volunteers, layout, names)
    sheets.valuation(valuation, layout, rates)
    rows: list[tuple[str, Any, str | None]] = [
        ("Commune", commune.name, None),
        ("Code INSEE", commune.insee_code, None),
        ("Département", commune.departement, None),
        ("Période", period.title, None),
        ("Premier jour", period.start, xs.FMT_DATE),
        ("Dernier jour", period.end, xs.FMT_DATE),
        ("Généré le", generated_at or local_now().replace(microsecond=0), xs.FMT_DATETIME),
        ("Généré par", generated_by or registry.actor.display_name, None),
        ("Logiciel", f"Bip Pop Desk {__version__}", None),
        ("Saisies d'heures", written, xs.FMT_COUNT),
        ("Bénévoles", "codes pseudonymes stables" if pseudonymise else "noms en clair", None),
        ("Taux horaire par défaut (€/h)", float(rates.default.quantize(CENT)), xs.FMT_EUROS),
        ("Source du taux", rates.source, None),
    ]
    _parameters(parameters, rows)

    target = Path(path)
    with written_atomically(target) as partial:
        book.save(partial)
    return WorkbookResult(target, written, figures.total_minutes)


def _parameters(sheet: Any, rows: list[tuple[str, Any, str | None]]) -> None:
    xs.set_widths(sheet, {"A": 32, "B": 70})
    sheet.append(sheets.headers(sheet, ["Paramètre", "Valeur"]))
    for label, value, fmt in rows:
        if isinstance(value, str):
            cell = text_cell(sheet, value, xs.wrap)
        else:
            cell = xs.styled(sheet, value, xs.number(fmt or "General"))
        sheet.append([label, cell])
    sheet.append([])
    sheet.append([text_cell(sheet, "Règles de calcul", xs.title)])
    for rule in COUNTING_RULES:
        sheet.append([text_cell(sheet, rule, xs.muted)])
