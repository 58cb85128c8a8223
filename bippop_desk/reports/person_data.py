"""A person's data on request (RGPD), printed: every section of the export, field by
field, in French where the registry has a label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from bippop_desk.registry.services.person_export import SECTIONS
from bippop_desk.reports.register_pdf import build, p, styles, table


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "oui"
    if value is False:
        return "non"
    return str(value)


def write_person_pdf(data: dict[str, Any], path: Path, commune: str) -> Path:
    s = styles()
    person = data["person"]
    name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
    flow: list[Any] = [
        p(f"Données détenues sur {name}", s["title"]),
        p(
            f"Export du {data['generated_at']} — toutes les informations du registre de la "
            f"commune concernant cette personne.",
            s["small"],
        ),
    ]
    if data.get("conservation_sauvegardes"):
        flow.append(p(str(data["conservation_sauvegardes"]), s["small"]))
    for key, title in SECTIONS.items():
        items = data[key] if isinstance(data[key], list) else [data[key]]
        flow += [Spacer(1, 0.4 * cm), p(f"{title} ({len(items)})", s["title"])]
        if not items:
            flow.append(p("Aucune.", s["body"]))
        for item in items:
            rows = [[p(k, s["head"]), p(_text(v), s["cell"])] for k, v in item.items()]
            flow += [table(rows, [5 * cm, 12 * cm], header=False), Spacer(1, 0.2 * cm)]
    build(
        path,
        flow,
        issuer=f"Mairie de {commune}",
        title="Données personnelles — export RGPD",
        subtitle=name,
    )
    return path
