"""Alembic environment: always driven from code (registry.migrate), with a connection."""

from __future__ import annotations

from alembic import context

from bippop_desk.registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through bippop_desk.registry.migrate.ensure_schema().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables instead
)
# The caller holds the transaction: the whole upgrade is all-or-nothing.
context.run_migrations()
