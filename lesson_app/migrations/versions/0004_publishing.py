"""Publishing: lessons can be unpublished; versions record who published them and what changed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns (plain ADD COLUMN on both databases: no table is rebuilt)."""
    op.add_column(
        "lesson_versions",
        sa.Column("created_by", sa.String(200), server_default="command line", nullable=False),
    )
    op.add_column(
        "lesson_versions",
        sa.Column("change_summary", sa.Text(), server_default="", nullable=False),
    )
    op.add_column(
        "lessons", sa.Column("published", sa.Boolean(), server_default=sa.true(), nullable=False)
    )


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table("lessons") as batch_op:
        batch_op.drop_column("published")
    with op.batch_alter_table("lesson_versions") as batch_op:
        batch_op.drop_column("change_summary")
        batch_op.drop_column("created_by")
