"""Create the uploaded tables' state and load history.

Revision ID: a7c9e1f3b568
Revises: f6b8d0e2a457
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c9e1f3b568"
down_revision = "f6b8d0e2a457"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_table",
        sa.Column(
            "resource_id",
            sa.UnicodeText,
            sa.ForeignKey("resource.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("sheet", sa.UnicodeText),
        sa.Column("reading", sa.JSON),
        sa.Column("dictionary", sa.JSON, nullable=False),
        sa.Column("file_hash", sa.UnicodeText),
        sa.Column("file_stamp", sa.UnicodeText),
        sa.Column("loaded_hash", sa.UnicodeText),
        sa.Column("load_anyway", sa.Boolean, nullable=False),
        sa.Column("checked_at", sa.DateTime),
        sa.Column("loaded_at", sa.DateTime),
        sa.Column("message", sa.UnicodeText),
    )
    op.create_table(
        "wepulse_table_load",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "resource_id",
            sa.UnicodeText,
            sa.ForeignKey("resource.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("file_hash", sa.UnicodeText),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("rows", sa.Integer),
        sa.Column("seconds", sa.Float),
        sa.Column("errors", sa.JSON, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_table_load")
    op.drop_table("wepulse_table")
