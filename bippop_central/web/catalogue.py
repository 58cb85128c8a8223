"""What a commune's pages show: the commune, the mairie's contact, its mission types.

Read with `reading()` only: the forms look these up BEFORE their write transaction, so a
form never holds SQLite's one write lock (every commune's pushes) while it reads.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select

from bippop_central.db import reading
from bippop_central.models import commune_t, record_t
from bippop_central.web.tables import DEFAULT_DAILY_QUOTA, web_commune_t

# The platform's default daily quota of web submissions per commune (web_commune.daily_quota
# sets one commune's); read once, the same in every worker.
DEFAULT_QUOTA = int(os.environ.get("BIPPOP_WEB_DAILY_QUOTA", DEFAULT_DAILY_QUOTA))

FAMILIES = {
    "mobilite_inversee": "Le bénévole vient chez la personne",
    "mobilite_accompagnee": "Le bénévole accompagne la personne",
    "a_distance": "À distance (téléphone)",
}


@dataclass(frozen=True)
class MissionType:
    record_id: str
    code: str
    label: str
    family: str

    @property
    def family_label(self) -> str:
        return FAMILIES.get(self.family, "")


@dataclass(frozen=True)
class Contact:
    service_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""


@dataclass(frozen=True)
class Commune:
    id: int
    insee: str
    name: str
    departement: str
    contact: Contact
    daily_quota: int
    mission_types: tuple[MissionType, ...]

    def mission_type(self, code: str) -> MissionType | None:
        return next((t for t in self.mission_types if t.code == code), None)

    @property
    def service(self) -> str:
        return self.contact.service_name or f"Mairie de {self.name}"

    @property
    def service_phrase(self) -> str:
        """ "la mairie de Compiègne", "la mairie (CCAS de Compiègne)": no article to guess."""
        if self.contact.service_name:
            return f"la mairie ({self.contact.service_name})"
        return f"la mairie de {self.name}"


CACHE_S = 5.0  # a commune's page facts are read again at most this often per worker
_cache: dict[tuple[int, str], tuple[float, Commune | None]] = {}
_cache_lock = threading.Lock()


def commune(engine: Engine, insee: str) -> Commune | None:
    """The commune with its contact and active mission types, or None when unknown.
    Kept CACHE_S seconds per worker: a flood of form posts reads the database for its
    limits, not for the catalogue (a new mission type shows within seconds)."""
    key, now = (id(engine), insee[:10]), time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    found = _read(engine, insee[:10])
    with _cache_lock:
        if len(_cache) > 5_000:
            _cache.clear()
        _cache[key] = (now + CACHE_S, found)
    return found


def forget(engine: Engine, insee: str) -> None:
    with _cache_lock:
        _cache.pop((id(engine), insee[:10]), None)


def _read(engine: Engine, insee: str) -> Commune | None:
    with reading(engine) as conn:
        row = conn.execute(
            select(commune_t.c.id, commune_t.c.name, commune_t.c.departement, web_commune_t)
            .outerjoin(web_commune_t, web_commune_t.c.commune_id == commune_t.c.id)
            .where(commune_t.c.insee_code == insee)
        ).mappings().first()  # fmt: skip
        if row is None:
            return None
        types = conn.execute(
            select(record_t.c.record_id, record_t.c.fields).where(
                record_t.c.commune_id == row["id"], record_t.c.entity == "mission_type",
                record_t.c.deleted.is_(False),
            )
        ).all()  # fmt: skip
    offered = sorted(
        (
            (int(f.get("sort_order") or 0), str(f.get("label") or f.get("code")), rid, f)
            for rid, f in types
            if f.get("code") and f.get("active", True) and not f.get("deleted_at")
        ),
        key=lambda item: (item[0], item[1].lower()),
    )
    contact = Contact(
        *(str(row[name] or "") for name in
          ("service_name", "address", "phone", "email", "opening_hours"))
    )  # fmt: skip
    return Commune(
        int(row["id"]), insee, str(row["name"]), str(row["departement"]), contact,
        int(row["daily_quota"] if row["daily_quota"] is not None else DEFAULT_QUOTA),
        tuple(MissionType(rid, str(f["code"]), label, str(f.get("family") or ""))
              for _order, label, rid, f in offered),
    )  # fmt: skip


def communes(engine: Engine) -> list[tuple[str, str, str]]:
    """(INSEE, name, département) of every commune, by name."""
    with reading(engine) as conn:
        rows = conn.execute(
            select(commune_t.c.insee_code, commune_t.c.name, commune_t.c.departement)
        ).all()
    return sorted(((r[0], r[1], r[2]) for r in rows), key=lambda r: r[1].lower())


def set_contact(engine: Engine, insee: str, *, quota: int | None = None, **contact: str) -> None:
    """The mairie's public contact (service_name, address, phone, email, opening_hours)
    and, when given, the commune's daily quota of web submissions (`commune web`)."""
    from sqlalchemy import update

    from bippop_central.db import writing
    from bippop_central.models import utcnow

    unknown = set(contact) - set(Contact.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown contact fields: {sorted(unknown)}")
    with writing(engine) as conn:
        commune_id = conn.execute(
            select(commune_t.c.id).where(commune_t.c.insee_code == insee)
        ).scalar()
        if commune_id is None:
            raise LookupError(insee)
        values: dict[str, object] = {k: v.strip() for k, v in contact.items() if v is not None}
        if quota is not None:
            values["daily_quota"] = quota
        values["updated_at"] = utcnow()
        exists = conn.execute(
            select(web_commune_t.c.commune_id).where(web_commune_t.c.commune_id == commune_id)
        ).first()
        forget(engine, insee)
        if exists is None:
            conn.execute(web_commune_t.insert().values(commune_id=commune_id, **values))
        else:
            conn.execute(
                update(web_commune_t)
                .where(web_commune_t.c.commune_id == commune_id)
                .values(**values)
            )
