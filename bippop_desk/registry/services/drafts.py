"""Drafts: what was typed in a form and not saved yet survives a closed window or a crash.

A draft is a local scratchpad (no audit, no outbox): it is not a registry change. It is
still written through `registry.change()`, like every write: BEGIN IMMEDIATE takes the
write lock first, so a draft saved while the CLI or a sync writes waits its turn
(busy timeout) instead of failing half-way on a lock upgrade.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models import LocalDraft
from bippop_desk.registry.store import Registry


def save_draft(registry: Registry, key: str, content: dict[str, Any]) -> None:
    text = json.dumps(content, ensure_ascii=False)
    statement = insert(LocalDraft).values(key=key, content=text, updated_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[LocalDraft.key], set_={"content": text, "updated_at": utcnow()}
    )
    with registry.change() as changes:
        changes.session.execute(statement)


def load_draft(registry: Registry, key: str) -> dict[str, Any] | None:
    with registry.session() as session:
        draft = session.get(LocalDraft, key)
        if draft is None:
            return None
        try:
            content = json.loads(draft.content)
        except json.JSONDecodeError:
            return None
        return content if isinstance(content, dict) else None


def clear_draft(registry: Registry, key: str) -> None:
    with registry.change() as changes:
        changes.session.execute(delete(LocalDraft).where(LocalDraft.key == key))
