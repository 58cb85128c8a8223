"""Device tokens and enrollment codes: random, shown once, stored as SHA-256 only."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from bippop_central.db import reading, writing
from bippop_central.models import commune_t, device_t, enroll_code_t, utcnow

# No 0/O, 1/I/L: a code is read aloud on the phone and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class AuthError(Exception):
    """Refused; `status` is the HTTP status and the message the French detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Caller:
    device_id: str
    commune_id: int
    insee_code: str
    name: str
    departement: str
    schema: str = ""  # the desk's schema revision on this call (X-Bippop-Schema)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 32 random bytes


def new_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_code(code: str) -> str:
    """Typed codes forgive case, spaces and dashes."""
    chars = "".join(c for c in code.upper() if c.isalnum())
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}" if len(chars) == 12 else chars


def caller_for(engine: Engine, authorization: str | None) -> Caller:
    """The device behind a bearer token; 401 when unknown or revoked."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(401, "Jeton d'appareil absent : inscrivez ce poste auprès du serveur.")
    query = (
        select(device_t.c.id, device_t.c.revoked_at, commune_t)
        .join(commune_t, commune_t.c.id == device_t.c.commune_id)
        .where(device_t.c.token_hash == digest(token.strip()))
    )
    with reading(engine) as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise AuthError(401, "Jeton d'appareil inconnu : inscrivez ce poste à nouveau.")
    if row["revoked_at"] is not None:
        raise AuthError(401, "Ce poste a été révoqué : inscrivez-le à nouveau.")
    return Caller(row["id"], row["commune_id"], row["insee_code"], row["name"], row["departement"])


def enroll(
    engine: Engine, code: str, device_id: str, device_name: str, schema: str = ""
) -> tuple[str, Caller]:
    """Spend a code: a new token for the device (re-enrolling replaces its old token)."""
    now = utcnow()
    token = new_token()
    with writing(engine) as conn:
        row = (
            conn.execute(
                select(enroll_code_t.c.commune_id, commune_t)
                .join(commune_t, commune_t.c.id == enroll_code_t.c.commune_id)
                .where(enroll_code_t.c.code_hash == digest(normalise_code(code)))
                .where(enroll_code_t.c.used_at.is_(None), enroll_code_t.c.expires_at > now)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise AuthError(403, "Code d'inscription inconnu, déjà utilisé ou expiré.")
        known = conn.execute(
            select(device_t.c.commune_id).where(device_t.c.id == device_id)
        ).scalar()
        if known is not None and known != row["commune_id"]:
            raise AuthError(403, "Ce poste est déjà inscrit pour une autre commune.")
        # Single use even when two desks send the same code at once.
        spent = conn.execute(
            update(enroll_code_t)
            .where(enroll_code_t.c.code_hash == digest(normalise_code(code)))
            .where(enroll_code_t.c.used_at.is_(None))
            .values(used_at=now, device_id=device_id)
        ).rowcount
        if spent != 1:
            raise AuthError(403, "Code d'inscription inconnu, déjà utilisé ou expiré.")
        values = {
            "commune_id": row["commune_id"],
            "name": device_name[:120],
            "token_hash": digest(token),
            "enrolled_at": now,
            "revoked_at": None,
            "schema_revision": schema,
        }
        if known is None:
            conn.execute(device_t.insert().values(id=device_id, **values))
        else:
            conn.execute(update(device_t).where(device_t.c.id == device_id).values(**values))
    caller = Caller(
        device_id, row["commune_id"], row["insee_code"], row["name"], row["departement"], schema
    )
    return token, caller


def code_expiry(days: int) -> dt.datetime:
    return utcnow() + dt.timedelta(days=days)
