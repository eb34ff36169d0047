"""Web chat: embedding origins and conversation storing per persona, stored messages.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("personas") as batch:
        batch.add_column(
            sa.Column("embed_origins", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(
            sa.Column(
                "store_conversations",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "stored_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "persona_id",
            sa.Integer(),
            sa.ForeignKey("personas.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("from_persona", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_stored_messages_persona_id", "stored_messages", ["persona_id"])
    op.create_index(
        "ix_stored_messages_conversation", "stored_messages", ["conversation"]
    )


def downgrade() -> None:
    op.drop_table("stored_messages")
    with op.batch_alter_table("personas") as batch:
        batch.drop_column("store_conversations")
        batch.drop_column("embed_origins")
