"""Create wepulse_dataset_rdf: each dataset's DCAT-AP, serialised once per change.

Revision ID: b2d4f6a8c012
Revises: a1c3d5e7f901
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "b2d4f6a8c012"
down_revision = "a1c3d5e7f901"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_dataset_rdf",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source_modified", sa.DateTime, nullable=False),
        sa.Column("turtle", sa.UnicodeText, nullable=False),
        sa.Column("ntriples", sa.UnicodeText, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_dataset_rdf")
