"""The register as handed to the préfet during an alert: xlsx and PDF.

The rows come from services/register.prefet_export_rows (which checks the alert, the
user's access and journals the export). Every text cell goes through safe_cells: a
name typed as "=HYPERLINK(…)" stays text, never a formula.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.services.campaigns import Campaign
from bippop_desk.registry.services.register import PrefetRow
from bippop_desk.reports import xlsx_style
from bippop_desk.reports.register_pdf import build, p, styles, table
from bippop_desk.reports.safe_cells import text_cell

COLUMNS = (
    ("Nom et prénom", 24),
    ("Né·e le", 17),
    ("Adresse", 26),
    ("Téléphone", 19),
    ("Catégorie", 20),
    ("Inscrit·e à la demande de", 18),
    ("Demande du", 17),
    ("Service d'aide à domicile", 21),
    ("Personne à prévenir", 22),
    ("Seul·e", 10),
)


def _values(row: PrefetRow) -> list[str]:
    return [
        row.name,
        short_date(row.birth_date) if row.birth_date else "",
        row.address,
        row.phone,
        row.category,
        row.requested_by,
        short_date(row.request_date),
        row.home_care_service,
        row.emergency_contact,
        "oui" if row.lives_alone else "non",
    ]


def write_prefet_xlsx(rows: list[PrefetRow], alert: Campaign, commune: str, path: Path) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Registre")
    xlsx_style.set_widths(sheet, {chr(65 + i): w for i, (_n, w) in enumerate(COLUMNS)})
    xlsx_style.printable(sheet, title_rows="3:3")
    sheet.append([xlsx_style.styled(sheet, f"Registre nominatif — {commune}", xlsx_style.title)])
    sheet.append([f"{alert.title} — {len(rows)} personne(s) — document confidentiel"])
    sheet.append([xlsx_style.styled(sheet, name, xlsx_style.header) for name, _w in COLUMNS])
    for row in rows:
        sheet.append([text_cell(sheet, value) for value in _values(row)])
    with written_atomically(path) as partial:
        book.save(partial)
    return path


def write_prefet_pdf(rows: list[PrefetRow], alert: Campaign, commune: str, path: Path) -> Path:
    s = styles()
    widths = [w for _n, w in COLUMNS]
    scale = (landscape(A4)[0] - 3.2 * cm) / sum(widths)
    header = [p(name, s["head"]) for name, _w in COLUMNS]
    body = [[p(v, s["cell"]) for v in _values(row)] for row in rows]
    flow = [
        p(f"{len(rows)} personne(s) inscrite(s) au registre — {alert.title}", s["bold"]),
        Spacer(1, 0.3 * cm),
        table([header, *body], [w * scale for w in widths]),
    ]
    build(
        path,
        flow,
        issuer=f"Mairie de {commune}",
        title="Registre nominatif — transmission au préfet",
        subtitle=alert.title,
        pagesize=landscape(A4),
    )
    return path
