"""The server's Alembic migrations build exactly the tables its models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bippop_central.db import migrate, normalise_url
from bippop_central.models import Base
from tests.central.conftest import database_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_the_models(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = database_url(backend, tmp_path_factory)
    migrate(url)
    migrate(url)  # a second run is a no-op
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "c0003"
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
