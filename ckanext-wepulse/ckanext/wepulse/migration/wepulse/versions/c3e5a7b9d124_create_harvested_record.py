"""Create wepulse_harvested_record: each harvested record's dataset and content hash.

Revision ID: c3e5a7b9d124
Revises: b2d4f6a8c012
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e5a7b9d124"
down_revision = "b2d4f6a8c012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_harvested_record",
        sa.Column("source_id", sa.UnicodeText, primary_key=True),
        sa.Column("guid", sa.UnicodeText, primary_key=True),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            index=True,
        ),
        sa.Column("content_hash", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
        sa.Column("first_harvested", sa.DateTime, nullable=False),
        sa.Column("last_harvested", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_harvested_record")
