"""Journal events that are not record changes: sign-ins, refused actions, exports and
views of the register. Append-only like every audit event (migration 0007).

These events carry no outbox entry (nothing to sync) and, like every summary, never
personal data: a summary names the kind of thing, the record id says which.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import AuditEvent
from bippop_desk.registry.store import Registry

SIGN_IN = "connexion"
SIGN_IN_FAILED = "connexion_refusee"
REFUSED = "refus"
EXPORT = "export"
VIEW = "consultation"


def add_event(
    session: Session, actor: Actor, action: str, entity: str, record_id: str, summary: str
) -> None:
    """Inside a transaction the caller already holds."""
    session.execute(
        insert(AuditEvent).values(
            at=utcnow(),
            user_name=actor.display_name,
            user_role=actor.role,
            action=action,
            entity=entity,
            record_id=record_id,
            fields="",
            summary=summary,
        )
    )


def log_event(
    registry: Registry,
    action: str,
    entity: str,
    summary: str,
    record_id: str = "",
    actor: Actor | None = None,
) -> None:
    """One event in its own short write transaction. Never call it while holding
    `registry.change()` (SQLite has one writer: it would wait for itself)."""
    with registry.change(actor) as changes:
        add_event(changes.session, changes.actor, action, entity, record_id, summary)
