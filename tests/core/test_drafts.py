"""Drafts survive a closed window, and are written like every write: BEGIN IMMEDIATE."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bippop_desk.registry.services.drafts import clear_draft, load_draft, save_draft
from bippop_desk.registry.store import Registry


def statements_of(registry: Registry, action: Any) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(registry.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(registry.engine, "before_cursor_execute", record)
    return seen


def test_a_draft_is_saved_and_cleared_in_write_transactions(registry: Registry) -> None:
    saved = statements_of(registry, lambda: save_draft(registry, "k", {"notes": "Anaïs"}))
    assert "BEGIN IMMEDIATE" in saved
    assert load_draft(registry, "k") == {"notes": "Anaïs"}
    save_draft(registry, "k", {"notes": "Rappeler"})
    assert load_draft(registry, "k") == {"notes": "Rappeler"}
    cleared = statements_of(registry, lambda: clear_draft(registry, "k"))
    assert "BEGIN IMMEDIATE" in cleared
    assert load_draft(registry, "k") is None
