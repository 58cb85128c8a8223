"""Printable call sheets for staff without the app: the people still to call, most
exposed first, with blank columns to write the time and the outcome by hand."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from bippop_desk.registry.services.campaigns import PENDING, STATES, CallRow, Campaign
from bippop_desk.reports.register_pdf import build, p, styles, table

COLUMNS = (
    ("N°", 5),
    ("Personne", 20),
    ("Téléphones", 18),
    ("Adresse", 26),
    ("Contact d'urgence", 22),
    ("Pourquoi en priorité", 20),
    ("État", 14),
    ("Heure", 11),
    ("Issue : OK / aide / pas de réponse", 20),
    ("Notes", 21),
)


def write_call_sheet(
    rows: list[CallRow], campaign: Campaign, commune: str, path: Path, *, pending_only: bool = True
) -> Path:
    s = styles()
    chosen = (
        [r for r in rows if r.state in PENDING or r.state == "escalade"] if pending_only else rows
    )
    widths = [w for _n, w in COLUMNS]
    scale = (landscape(A4)[0] - 3.2 * cm) / sum(widths)
    header = [p(name, s["head"]) for name, _w in COLUMNS]
    body = []
    for number, row in enumerate(chosen, 1):
        phones = "\n".join(x for x in (row.phone, row.phone_secondary) if x)
        state = STATES[row.state]
        if row.unanswered:
            state += f" ({row.unanswered} sans réponse)"
        body.append(
            [
                p(v, s["cell"])
                for v in (
                    str(number),
                    row.name,
                    phones,
                    row.address,
                    row.emergency,
                    row.reasons,
                    state,
                    "",
                    "",
                    "",
                )
            ]
        )
    flow = [
        p(f"{len(chosen)} appel(s) à passer — {campaign.title}", s["bold"]),
        p(
            "Après l'appel : cochez l'issue et reportez-la dans Bip Pop Desk dès que possible. "
            "« Besoin d'aide » : notez quoi et prévenez la mairie aussitôt.",
            s["small"],
        ),
        Spacer(1, 0.3 * cm),
        table([header, *body], [w * scale for w in widths]),
    ]
    build(
        path,
        flow,
        issuer=f"Mairie de {commune}",
        title="Fiche d'appels — alerte",
        subtitle=campaign.title,
        pagesize=landscape(A4),
    )
    return path
