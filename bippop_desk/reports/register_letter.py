"""The acknowledgement letter of a registration (to send within 8 days): A4, the
mairie's heading, the person's address, what was recorded and the person's rights."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.frdates import long_date
from bippop_desk.registry.models import Commune
from bippop_desk.registry.services.register import CATEGORIES, DISABILITY_BASES, EntryDetail
from bippop_desk.reports.register_pdf import build, p, styles


def write_letter(detail: EntryDetail, commune: Commune, path: Path) -> Path:
    entry, person = detail.entry, detail.person
    s = styles()
    issuer = f"Mairie de {commune.name} — {commune.service_name}"
    recipient = "\n".join(
        line
        for line in (
            f"{person.civility} {person.first_name} {person.last_name}".strip(),
            person.address_line,
            person.address_complement,
            f"{person.postal_code} {person.city}".strip(),
        )
        if line
    )
    category = CATEGORIES.get(entry.category, entry.category)
    if entry.disability_basis:
        category += f" ({DISABILITY_BASES.get(entry.disability_basis, entry.disability_basis)})"
    by = {
        "self": "à votre demande",
        "representative": f"à la demande de votre représentant légal, {entry.requester_name}",
        "third_party": (
            f"à la demande de {entry.requester_name} ({entry.requester_quality}), avec votre accord"
        ),
    }.get(entry.requested_by, "")
    salutation = {"M.": "Monsieur", "Mme": "Madame"}.get(person.civility, "Madame, Monsieur")
    flow = [
        p(issuer, s["bold"]),
        p(f"{commune.postal_code} {commune.name}".strip(), s["body"]),
        Spacer(1, 1.2 * cm),
        p(recipient, s["body"]),
        Spacer(1, 1 * cm),
        p(f"{commune.name}, le {long_date(local_today())}", s["body"]),
        Spacer(1, 0.6 * cm),
        p(
            "Objet : accusé de réception de votre inscription au registre nominatif des "
            "personnes vulnérables (plan d'alerte et d'urgence)",
            s["bold"],
        ),
        Spacer(1, 0.5 * cm),
        p(f"{salutation},", s["body"]),
        Spacer(1, 0.3 * cm),
        p(
            f"Nous avons bien reçu, le {long_date(entry.request_date)}, la demande "
            f"d'inscription vous concernant, faite {by}. Vous êtes inscrit·e au registre "
            f"de la commune au titre suivant : {category.lower()}.",
            s["body"],
        ),
        Spacer(1, 0.3 * cm),
        p(
            "En cas d'alerte canicule ou grand froid déclenchée par le préfet, les services "
            "de la mairie prendront contact avec vous pour s'assurer que vous allez bien et "
            "vous proposer l'aide nécessaire.",
            s["body"],
        ),
        Spacer(1, 0.3 * cm),
        p(
            "Ces informations sont confidentielles. Elles ne sont transmises qu'au préfet, "
            "à sa demande, lorsque le plan d'alerte et d'urgence est déclenché (articles "
            "L121-6-1 et R121-2 et suivants du code de l'action sociale et des familles).",
            s["body"],
        ),
        Spacer(1, 0.3 * cm),
        p(
            "Vous pouvez à tout moment demander à consulter ou corriger ces informations, "
            "ou être radié·e du registre, par simple demande à la mairie.",
            s["body"],
        ),
        Spacer(1, 0.5 * cm),
        p(
            f"Veuillez agréer, {salutation}, l'expression de nos salutations distinguées.",
            s["body"],
        ),
        Spacer(1, 1.2 * cm),
        p(f"Pour le maire de {commune.name},\nle service {commune.service_name}", s["body"]),
    ]
    build(
        path, flow, issuer=f"Mairie de {commune.name}", title="Accusé de réception", printed=False
    )
    return path
