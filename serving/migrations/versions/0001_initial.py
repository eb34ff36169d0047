"""The initial schema: personas, jobs, chat sessions, webhook events seen.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _enum(*values: str, length: int, name: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=length, name=name)


def upgrade() -> None:
    op.create_table(
        "personas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("manage_token_hash", sa.String(255), nullable=True),
        sa.Column(
            "status",
            _enum(
                "PENDING",
                "TRAINING",
                "READY",
                "FAILED",
                length=16,
                name="personastatus",
            ),
            nullable=False,
        ),
        sa.Column("artifact_key", sa.String(255), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_personas_name_key", "personas", ["name_key"], unique=True)
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "persona_id",
            sa.Integer(),
            sa.ForeignKey("personas.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "state",
            _enum(
                "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", length=16, name="jobstate"
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("checkpoint_key", sa.String(255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column(
            "state",
            _enum(
                "CHOOSING",
                "AWAITING_PASSWORD",
                "CHATTING",
                length=24,
                name="chatstate",
            ),
            nullable=False,
        ),
        sa.Column(
            "persona_id",
            sa.Integer(),
            sa.ForeignKey("personas.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel", "user_id"),
    )
    op.create_table(
        "seen_events",
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("seen_events")
    op.drop_table("chat_sessions")
    op.drop_table("jobs")
    op.drop_index("ix_personas_name_key", table_name="personas")
    op.drop_table("personas")
