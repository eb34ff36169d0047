"""Webhook message ids already handled, claimed atomically in the database.

Meta redelivers a webhook it thinks was not received, and a server may run as many
processes on many machines; a `SeenEvent` row per message id, inserted with
"insert or ignore" (`serving.db.insert_once`), lets exactly one of them answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete

from serving.db import Database, insert_once
from serving.models import SeenEvent, utcnow

MAX_ID_CHARS = 255  # the column's width
KEEP_SEEN = timedelta(days=2)  # Meta stops retrying long before this


def claim_events(db: Database, event_ids: Sequence[str]) -> list[str]:
    """The ids never handled before, now recorded as handled, in the given order."""
    fresh = []
    now = utcnow()
    with db.session() as session:
        for event_id in event_ids:
            values = {"event_id": event_id[:MAX_ID_CHARS], "seen_at": now}
            if insert_once(session, SeenEvent, values):
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
