"""Create wepulse_dataset_validation: each dataset's latest SHACL result.

Revision ID: a1c3d5e7f901
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "a1c3d5e7f901"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_dataset_validation",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("profile", sa.UnicodeText, primary_key=True),
        sa.Column("conforms", sa.Boolean, nullable=False),
        sa.Column("violations", sa.Integer, nullable=False),
        sa.Column("messages", sa.JSON, nullable=False),
        sa.Column("validated_at", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_dataset_validation")
