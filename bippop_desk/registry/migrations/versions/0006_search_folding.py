"""search folding of every name (issue 10)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Reserved in the chain so parallel work can land in any order; empty until its work lands.
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
