"""spreadsheet imports and dashboard (issue 9)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Reserved in the chain so parallel work can land in any order; empty until its work lands.
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
