"""Administration of the server (the CLI's commands; the tests call them in-process)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, select, update

from bippop_central.auth import code_expiry, digest, new_code
from bippop_central.db import reading, writing
from bippop_central.models import commune_t, device_t, enroll_code_t, utcnow

_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# A desk syncs right after its enrollment: a device with no push and no pull a day after
# it was enrolled is one whose enrollment answer never reached a desk (or a desk gone).
UNSEEN_AFTER = dt.timedelta(days=1)


class AdminError(Exception):
    """A French message for the administrator."""


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    insee_code: str
    name: str
    enrolled_at: str
    revoked: bool
    last_seen_at: str
    schema_revision: str
    never_seen: bool = False  # active, enrolled over UNSEEN_AFTER ago, no contact since

    @property
    def state(self) -> str:
        if self.revoked:
            return "révoqué"
        return "jamais vu depuis son inscription" if self.never_seen else "actif"


def departement_of(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def add_commune(engine: Engine, insee: str, name: str, departement: str | None = None) -> bool:
    """Adds the commune; False when that INSEE code is already there (nothing changed)."""
    insee = insee.strip().upper()
    if not _INSEE.match(insee):
        raise AdminError(f"Code INSEE invalide : « {insee} » (5 caractères, ex. 60159).")
    if not name.strip():
        raise AdminError("Le nom de la commune est obligatoire.")
    departement = (departement or departement_of(insee)).strip().upper()
    if not re.match(r"^(\d{2}|2[AB]|97\d)$", departement):
        raise AdminError(f"Département invalide : « {departement} ».")
    with writing(engine) as conn:
        exists = conn.execute(select(commune_t.c.id).where(commune_t.c.insee_code == insee))
        if exists.first() is not None:
            return False
        conn.execute(
            commune_t.insert().values(
                insee_code=insee,
                name=name.strip()[:160],
                departement=departement,
                seq=0,
                created_at=utcnow(),
            )
        )
    return True


def _commune_id(engine: Engine, insee: str) -> int:
    with reading(engine) as conn:
        found = conn.execute(
            select(commune_t.c.id).where(commune_t.c.insee_code == insee.strip().upper())
        ).scalar()
    if found is None:
        raise AdminError(f"Commune inconnue sur ce serveur : {insee} (ajoutez-la d'abord).")
    return int(found)


def enroll_code(engine: Engine, insee: str, days: int = 7) -> str:
    """A new single-use code for the commune, valid `days` days; shown once."""
    if not 1 <= days <= 90:
        raise AdminError("La durée de validité doit aller de 1 à 90 jours.")
    commune_id = _commune_id(engine, insee)
    code = new_code()
    with writing(engine) as conn:
        conn.execute(
            enroll_code_t.insert().values(
                code_hash=digest(code),
                commune_id=commune_id,
                created_at=utcnow(),
                expires_at=code_expiry(days),
            )
        )
    return code


def _unseen(now: dt.datetime) -> Any:
    """Active devices that never called after their enrollment, a day on."""
    return and_(
        device_t.c.revoked_at.is_(None),
        device_t.c.last_seen_at.is_(None),
        device_t.c.enrolled_at < now - UNSEEN_AFTER,
    )


def list_devices(engine: Engine) -> list[DeviceInfo]:
    now = utcnow()
    query = (
        select(device_t, commune_t.c.insee_code, _unseen(now).label("never_seen"))
        .join(commune_t, commune_t.c.id == device_t.c.commune_id)
        .order_by(commune_t.c.insee_code, device_t.c.enrolled_at)
    )
    with reading(engine) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        DeviceInfo(r["id"], r["insee_code"], r["name"], r["enrolled_at"].isoformat(" ", "minutes"),
                   r["revoked_at"] is not None,
                   r["last_seen_at"].isoformat(" ", "minutes") if r["last_seen_at"] else "jamais",
                   r["schema_revision"], bool(r["never_seen"]))
        for r in rows
    ]  # fmt: skip


def revoke(engine: Engine, device_id: str) -> None:
    with writing(engine) as conn:
        done = conn.execute(
            update(device_t).where(device_t.c.id == device_id).values(revoked_at=utcnow())
        ).rowcount
    if done != 1:
        raise AdminError(f"Appareil inconnu : {device_id}.")


def revoke_unseen(engine: Engine) -> list[str]:
    """Revoke every device never seen since its enrollment a day ago; their ids."""
    now = utcnow()
    with writing(engine) as conn:
        ids = list(conn.execute(select(device_t.c.id).where(_unseen(now))).scalars())
        if ids:
            conn.execute(update(device_t).where(device_t.c.id.in_(ids)).values(revoked_at=now))
    return sorted(ids)
