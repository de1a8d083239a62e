"""Create wepulse_harvest_memory: what each source's adapter remembers between harvests.

Revision ID: d4f6b8c0e235
Revises: c3e5a7b9d124
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "d4f6b8c0e235"
down_revision = "c3e5a7b9d124"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_harvest_memory",
        sa.Column("source_id", sa.UnicodeText, primary_key=True),
        sa.Column("memory", sa.JSON, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_harvest_memory")
