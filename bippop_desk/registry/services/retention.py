"""Retention (CNIL social-sector reference): a beneficiary with no contact for two
years is listed for review; after an administrator confirms, the file is archived
(a tombstone: out of every list, kept for the legal archive) or anonymised (the
erasure of services/erasure.py). Nothing happens without that confirmation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.models import Beneficiary
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.erasure import erase_person
from bippop_desk.registry.store import Registry

RETENTION_YEARS = 2

# The latest sign of life: the file itself, its last contact, requests and visits.
# People in the register are left out: the register has its own rules (removal on request).
_SILENT = """
SELECT b.id, b.last_name || ' ' || b.first_name,
       max(coalesce(b.last_contact_at, b.created_at), b.created_at, b.updated_at,
           coalesce((SELECT max(r.received_at) FROM request r WHERE r.beneficiary_id = b.id), ''),
           coalesce((SELECT max(m.starts_at) FROM mission m WHERE m.beneficiary_id = b.id), ''))
         AS last_seen
  FROM beneficiary b
 WHERE b.deleted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM register_entry e WHERE e.beneficiary_id = b.id
                    AND e.removed_on IS NULL AND e.deleted_at IS NULL)
 GROUP BY b.id
HAVING last_seen < ?
 ORDER BY last_seen, b.last_name
"""


@dataclass(frozen=True)
class ReviewRow:
    beneficiary_id: str
    name: str
    last_seen: dt.date


def review_list(registry: Registry, now: dt.datetime | None = None) -> list[ReviewRow]:
    """Beneficiaries silent for RETENTION_YEARS, oldest first (administrators)."""
    require(registry, "retention")
    moment = now or utcnow()
    limit = moment.replace(year=moment.year - RETENTION_YEARS)
    with registry.raw() as conn:
        rows = conn.execute(_SILENT, (limit.isoformat(sep=" "),)).fetchall()
    return [ReviewRow(i, n, dt.datetime.fromisoformat(s).date()) for i, n, s in rows]


def archive(registry: Registry, beneficiary_ids: list[str]) -> int:
    """Confirmed archiving: the files become tombstones (kept, out of every list)."""
    require(registry, "retention")
    if not beneficiary_ids:
        raise ValidationError.single("selection", "Choisissez au moins une fiche.")
    with registry.change() as changes:
        for person_id in beneficiary_ids:
            record = changes.session.get(Beneficiary, person_id)
            if record is None or record.deleted_at is not None:
                raise NotFoundError("Une des fiches choisies n'existe plus.")
            changes.delete(record, "Fiche archivée (plus de contact depuis 2 ans)")
    return len(beneficiary_ids)


def anonymise(registry: Registry, beneficiary_ids: list[str]) -> int:
    """Confirmed anonymisation: each file goes through the erasure."""
    require(registry, "retention")
    if not beneficiary_ids:
        raise ValidationError.single("selection", "Choisissez au moins une fiche.")
    for person_id in beneficiary_ids:
        erase_person(registry, "beneficiary", person_id)
    return len(beneficiary_ids)
