"""Device tokens and enrollment codes: random, shown once, stored as SHA-256 only."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

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


# A device's contact is written at most this often by pulls and status calls (a push
# writes it in its own transaction): a bulk pull costs no write per page.
SEEN_EVERY = dt.timedelta(minutes=5)
# The same device retrying the same code within this window gets a new token: the
# answer of its first try was lost on the way back (docs/sync-protocol.md).
RETRY_WINDOW = dt.timedelta(minutes=15)
CODE_REFUSED = "Code d'inscription inconnu, déjà utilisé ou expiré."
# One answer for an active device of the commune and a device of another commune: it
# never tells where a device id is enrolled.
DEVICE_TAKEN = (
    "Ce poste est déjà inscrit : un code d'inscription ne peut pas remplacer son jeton "
    "(faites-le révoquer d'abord). Le code n'a pas été utilisé."
)


def caller_for(engine: Engine, authorization: str | None) -> Caller:
    """The device behind a bearer token; 401 when unknown or revoked."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(401, "Jeton d'appareil absent : inscrivez ce poste auprès du serveur.")
    query = (
        select(device_t.c.id, device_t.c.revoked_at, device_t.c.last_seen_at, commune_t)
        .join(commune_t, commune_t.c.id == device_t.c.commune_id)
        .where(device_t.c.token_hash == digest(token.strip()))
    )
    with reading(engine) as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise AuthError(401, "Jeton d'appareil inconnu : inscrivez ce poste à nouveau.")
    if row["revoked_at"] is not None:
        raise AuthError(401, "Ce poste a été révoqué : inscrivez-le à nouveau.")
    now = utcnow()
    if row["last_seen_at"] is None or now - row["last_seen_at"] > SEEN_EVERY:
        # `device list` tells the devices never seen after their enrollment.
        with writing(engine) as conn:
            conn.execute(
                update(device_t).where(device_t.c.id == row["id"]).values(last_seen_at=now)
            )
    return Caller(row["id"], row["commune_id"], row["insee_code"], row["name"], row["departement"])


def enroll(
    engine: Engine,
    code: str,
    device_id: str,
    device_name: str,
    schema: str = "",
    *,
    insee_code: str | None = None,
    previous_token: str | None = None,
) -> tuple[str, Caller]:
    """Spend a code: a new device and its token (docs/sync-protocol.md, POST enroll).

    The same device retrying the same code within RETRY_WINDOW gets a new token (its
    previous one is dead at once); a code of another commune than `insee_code`, or a
    known active device, is refused without spending the code. `previous_token` (the
    re-enrolling desk's old token) revokes that device in the same transaction."""
    for attempt in range(3):
        try:
            return _enroll_once(
                engine, code, device_id, device_name, schema, insee_code, previous_token
            )
        except IntegrityError:
            # Two enrollments of one new device id at once: the loser's insert hits the
            # primary key; run again, it then sees the winner's device and answers so.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _enroll_once(
    engine: Engine,
    code: str,
    device_id: str,
    device_name: str,
    schema: str,
    insee_code: str | None,
    previous_token: str | None,
) -> tuple[str, Caller]:
    now = utcnow()
    token = new_token()
    code_hash = digest(normalise_code(code))
    with writing(engine) as conn:
        # Locked (PostgreSQL; SQLite serialises writers): two tries of one code queue.
        query = (
            select(enroll_code_t.c.used_at, enroll_code_t.c.device_id.label("used_by"),
                   commune_t)
            .join(commune_t, commune_t.c.id == enroll_code_t.c.commune_id)
            .where(enroll_code_t.c.code_hash == code_hash, enroll_code_t.c.expires_at > now)
            .with_for_update(of=enroll_code_t)
        )  # fmt: skip
        row = conn.execute(query).mappings().first()
        retry = row is not None and row["used_at"] is not None
        if row is None or (
            retry and (row["used_by"] != device_id or now - row["used_at"] > RETRY_WINDOW)
        ):
            raise AuthError(403, CODE_REFUSED)
        if insee_code and insee_code != row["insee_code"]:
            raise AuthError(
                403,
                f"Ce code d'inscription est celui de la commune {row['name']} "
                f"({row['insee_code']}), pas de la commune {insee_code} : il n'a pas été "
                "utilisé, rien n'a été changé.",
            )
        known = conn.execute(
            select(device_t.c.commune_id, device_t.c.revoked_at).where(device_t.c.id == device_id)
        ).first()
        if known is not None and known.commune_id != row["id"]:
            raise AuthError(403, DEVICE_TAKEN)
        if retry:
            if known is None or known.revoked_at is not None:
                raise AuthError(403, CODE_REFUSED)  # revoked since: a retry lifts nothing
        elif known is not None and known.revoked_at is None:
            # Device ids are no secret (pull's origin_device): a code must not take one over.
            raise AuthError(403, DEVICE_TAKEN)
        else:
            conn.execute(
                update(enroll_code_t)
                .where(enroll_code_t.c.code_hash == code_hash)
                .values(used_at=now, device_id=device_id)
            )
        values = {
            "commune_id": row["id"],
            "name": device_name[:120],
            "token_hash": digest(token),
            "enrolled_at": now,
            "revoked_at": None,
            "last_seen_at": None,
            "schema_revision": schema,
        }
        if known is None:
            conn.execute(device_t.insert().values(id=device_id, **values))
        else:
            conn.execute(update(device_t).where(device_t.c.id == device_id).values(**values))
        if previous_token:
            conn.execute(
                update(device_t)
                .where(device_t.c.token_hash == digest(previous_token),
                       device_t.c.commune_id == row["id"], device_t.c.id != device_id,
                       device_t.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )  # fmt: skip
    caller = Caller(
        device_id, row["id"], row["insee_code"], row["name"], row["departement"], schema
    )
    return token, caller


def code_expiry(days: int) -> dt.datetime:
    return utcnow() + dt.timedelta(days=days)
