"""sync with the central platform (issue 7): sync state, server versions, conflicts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Reserved in the chain so parallel work can land in any order; empty until its work lands.
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
