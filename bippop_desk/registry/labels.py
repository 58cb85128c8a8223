"""French labels of the registry's codes (statuses, who consented…), free of SQLAlchemy so
light modules (lists, the first page of the app) can show them."""

from __future__ import annotations

BENEFICIARY_STATUSES = {
    "actif": "Actif",
    "en_pause": "En pause",
    "parti": "Parti / déménagé",
    "decede": "Décédé",
}

CONSENT_BY = {"self": "La personne elle-même", "third_party": "Un tiers, avec son accord"}

VOLUNTEER_STATUSES = {
    "en_attente": "En attente",
    "valide": "Validé",
    "suspendu": "Suspendu",
    "parti": "Parti",
}
