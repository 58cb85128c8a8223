"""Alembic environment of the central server: driven from code (bippop_central.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bippop_central.models import Base

url = context.config.get_main_option("sqlalchemy.url")
assert url, "run migrations through bippop_central.db.migrate()"
engine = create_engine(url)
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    # One transaction: the whole upgrade is all-or-nothing (PostgreSQL DDL is transactional).
    context.run_migrations()
engine.dispose()
