"""Create wepulse_accessibility_feedback: messages sent with the accessibility feedback form.

Revision ID: e5a7c9d1f346
Revises: d4f6b8c0e235
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "e5a7c9d1f346"
down_revision = "d4f6b8c0e235"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_accessibility_feedback",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("problem", sa.UnicodeText, nullable=False),
        sa.Column("page_url", sa.UnicodeText),
        sa.Column("email", sa.UnicodeText),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_accessibility_feedback")
