"""Webhook message ids already handled, claimed atomically in the database.

Meta redelivers a webhook it thinks was not received, and a server may run as many
processes on many machines; a `SeenEvent` row per message id, inserted with
"insert or ignore", lets exactly one of them answer. SQLite and PostgreSQL both
have `ON CONFLICT DO NOTHING`; any other database falls back to a savepoint that
swallows the unique-key violation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serving.db import Database
from serving.models import SeenEvent, utcnow

MAX_ID_CHARS = 255  # the column's width
KEEP_SEEN = timedelta(days=2)  # Meta stops retrying long before this


def claim_events(db: Database, event_ids: Sequence[str]) -> list[str]:
    """The ids never handled before, now recorded as handled, in the given order."""
    fresh = []
    now = utcnow()
    with db.session() as session:
        for event_id in event_ids:
            if _insert_once(session, event_id[:MAX_ID_CHARS], now):
                fresh.append(event_id)
    return fresh


def release_events(db: Database, event_ids: Sequence[str]) -> None:
    """Forget claims we could not act on, so the platform's retry is answered."""
    if not event_ids:
        return
    with db.session() as session:
        session.execute(
            delete(SeenEvent).where(
                SeenEvent.event_id.in_([e[:MAX_ID_CHARS] for e in event_ids])
            )
        )


def forget_old_events(db: Database, older_than: timedelta = KEEP_SEEN) -> int:
    """Delete claims old enough that no retry can still come; how many went."""
    with db.session() as session:
        result = session.execute(
            delete(SeenEvent).where(SeenEvent.seen_at < utcnow() - older_than)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _insert_once(session: Session, event_id: str, now: object) -> bool:
    dialect = session.get_bind().dialect.name
    values = {"event_id": event_id, "seen_at": now}
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        statement = (
            module.insert(SeenEvent)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(SeenEvent.event_id)  # a row back only if this insert won
        )
        return session.execute(statement).first() is not None
    try:
        with session.begin_nested():
            session.add(SeenEvent(**values))
        return True
    except IntegrityError:
        return False
