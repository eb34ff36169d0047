"""Password attempts counted per persona and requester; API keys for /v1.

The per-session attempt counters go: a new session used to start them again.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_attempts",
        sa.Column(
            "persona_id",
            sa.Integer(),
            sa.ForeignKey("personas.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("requester", sa.String(160), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started", UTCDateTime(), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "persona_id",
            sa.Integer(),
            sa.ForeignKey("personas.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(24), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_api_keys_persona_id", "api_keys", ["persona_id"])
    with op.batch_alter_table("chat_sessions") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_attempts")


def downgrade() -> None:
    with op.batch_alter_table("chat_sessions") as batch:
        batch.add_column(
            sa.Column(
                "failed_attempts", sa.Integer(), nullable=False, server_default="0"
            )
        )
        batch.add_column(sa.Column("locked_until", UTCDateTime(), nullable=True))
    op.drop_index("ix_api_keys_persona_id", "api_keys")
    op.drop_table("api_keys")
    op.drop_table("password_attempts")
