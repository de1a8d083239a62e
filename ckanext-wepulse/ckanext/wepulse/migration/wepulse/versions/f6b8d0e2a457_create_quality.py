"""Create the transparency tables: dataset quality, link checks, authority history.

Revision ID: f6b8d0e2a457
Revises: e5a7c9d1f346
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "f6b8d0e2a457"
down_revision = "e5a7c9d1f346"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wepulse_dataset_quality",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("owner_org", sa.UnicodeText, index=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("band", sa.UnicodeText, nullable=False),
        sa.Column("pending", sa.Integer, nullable=False),
        sa.Column("dimensions", sa.JSON, nullable=False),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("freshness", sa.UnicodeText, nullable=False),
        sa.Column("frequency", sa.UnicodeText),
        sa.Column("last_change", sa.DateTime),
        sa.Column("due", sa.DateTime),
        sa.Column("computed_at", sa.DateTime, nullable=False),
        sa.Column("dqv_turtle", sa.UnicodeText, nullable=False),
        sa.Column("dqv_ntriples", sa.UnicodeText, nullable=False),
    )
    op.create_table(
        "wepulse_link_check",
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("url_hash", sa.UnicodeText, primary_key=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText, index=True),
        sa.Column("host", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("final_url", sa.UnicodeText),
        sa.Column("content_type", sa.UnicodeText),
        sa.Column("content_length", sa.BigInteger),
        sa.Column("message", sa.UnicodeText),
        sa.Column("checked_at", sa.DateTime),
        sa.Column("failing_since", sa.DateTime),
        sa.Column("changed_at", sa.DateTime),
        sa.Column("next_check", sa.DateTime, nullable=False),
    )
    op.create_index("wepulse_link_check_due", "wepulse_link_check", ["next_check"])
    op.create_table(
        "wepulse_authority_quality_day",
        sa.Column(
            "organization_id",
            sa.UnicodeText,
            sa.ForeignKey("group.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("datasets", sa.Integer, nullable=False),
        sa.Column("average_score", sa.Integer),
        sa.Column("on_time_share", sa.Integer),
        sa.Column("broken_links", sa.Integer, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
    )


def downgrade():
    op.drop_table("wepulse_authority_quality_day")
    op.drop_table("wepulse_link_check")
    op.drop_table("wepulse_dataset_quality")
