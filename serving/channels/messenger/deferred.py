"""Messenger events kept in the database until they are answered.

Meta gets its 200 as soon as a delivery's signature is good, so an event we
cannot answer now must not be lost: when the reply queue is full, when answering
it failed, or when the server stops first, it is stored here and answered later
by whichever server process has room. The text is sealed with a key derived from
MIMICAL_SECRET_KEY (it may be a password); taking an event pushes its `due_at`
forward, so if its taker dies another process takes it after `LEASE`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from cryptography.fernet import InvalidToken
from sqlalchemy import delete, select

from serving.channels.messenger.events import MessengerEvent
from serving.chat import EventKind
from serving.db import Database
from serving.jobs.sealing import fernet_for
from serving.models import DeferredEvent, utcnow

log = logging.getLogger(__name__)

PURPOSE = b"mimical messenger event"
LEASE = timedelta(minutes=5)
# An event that failed this many times is given up (and logged), not retried.
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(seconds=30)


class DeferredEvents:
    """The table of events accepted but not answered yet."""

    def __init__(self, db: Database, secret_key: str) -> None:
        self.db = db
        self._fernet = fernet_for(secret_key, PURPOSE)

    def keep(self, events: Sequence[MessengerEvent], failed: bool = False) -> None:
        """Store events to answer later; a failed one counts an attempt."""
        if not events:
            return
        now = utcnow()
        with self.db.session() as session:
            for event in events:
                row = session.get(DeferredEvent, event.event_id)
                if row is None:
                    row = DeferredEvent(
                        event_id=event.event_id,
                        user_id=event.user_id,
                        kind=event.kind.value,
                        sealed_text=self._seal(event.text),
                        attempts=0,
                        created_at=now,
                    )
                    session.add(row)
                if failed:
                    row.attempts += 1
                if row.attempts >= MAX_ATTEMPTS:
                    log.warning(
                        "gave up on Messenger event %s after %d attempts",
                        event.event_id,
                        row.attempts,
                    )
                    session.delete(row)
                    continue
                row.due_at = now + (
                    RETRY_AFTER * row.attempts if failed else timedelta()
                )

    def take(self, limit: int) -> list[MessengerEvent]:
        """Up to `limit` due events, leased to this process for `LEASE`."""
        if limit <= 0:
            return []
        now = utcnow()
        taken: list[MessengerEvent] = []
        with self.db.session() as session:
            rows = session.scalars(
                select(DeferredEvent)
                .where(DeferredEvent.due_at <= now)
                .order_by(DeferredEvent.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            for row in rows:
                row.due_at = now + LEASE
                text = self._open(row)
                if text is None:
                    session.delete(row)
                    continue
                taken.append(
                    MessengerEvent(row.event_id, row.user_id, EventKind(row.kind), text)
                )
        return taken

    def done(self, event_ids: Sequence[str]) -> None:
        """Forget events that were answered."""
        if event_ids:
            with self.db.session() as session:
                session.execute(
                    delete(DeferredEvent).where(DeferredEvent.event_id.in_(event_ids))
                )

    def _seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def _open(self, row: DeferredEvent) -> str | None:
        try:
            return self._fernet.decrypt(row.sealed_text.encode("ascii")).decode()
        except InvalidToken:  # sealed under another secret key: cannot be read
            log.warning(
                "dropped Messenger event %s sealed under another key", row.event_id
            )
            return None
