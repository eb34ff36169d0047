"""Deferred Messenger events; persona name keys that see through lookalikes.

Keys of existing personas are recomputed with `serving.personas.name_key` (NFKC,
case and confusable characters aside); a persona whose new key another one
already has keeps its old key, so no row is lost.

Revision ID: 0006
Revises: 0004
Create Date: 2025-01-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from serving.models import UTCDateTime
from serving.personas import name_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deferred_events",
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sealed_text", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_deferred_events_due_at", "deferred_events", ["due_at"])
    _rekey_personas()


def _rekey_personas() -> None:
    connection = op.get_bind()
    personas = sa.table(
        "personas", sa.column("id", sa.Integer), sa.column("name", sa.String),
        sa.column("name_key", sa.String),
    )  # fmt: skip
    rows = connection.execute(
        sa.select(personas.c.id, personas.c.name, personas.c.name_key)
    )
    taken = {key for _id, _name, key in rows}
    for persona_id, name, old in list(
        connection.execute(
            sa.select(personas.c.id, personas.c.name, personas.c.name_key)
        )
    ):
        new = name_key(name)
        if new == old or new in taken:
            continue
        connection.execute(
            personas.update().where(personas.c.id == persona_id).values(name_key=new)
        )
        taken.discard(old)
        taken.add(new)


def downgrade() -> None:
    op.drop_index("ix_deferred_events_due_at", "deferred_events")
    op.drop_table("deferred_events")
