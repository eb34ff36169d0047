"""Answering outside the request: a bounded queue, batched generation, send threads.

The webhook only records and queues; it answers Meta at once, so Meta never
redelivers because the bot was slow. Generation threads take up to `max_batch`
queued messages of distinct users, apply the rules to each (`ChatEngine.prepare`)
and hand them to `ChatEngine.finish_batch`, which
lets each persona model answer all of them in one batched pass (a char-LSTM step
costs about the same for one conversation as for fifty). Typing indicators and
replies go out on a separate pool of send threads, so a slow Send API never stalls
generation. One user's messages are answered one at a time, in order: a user stays
"busy" from the moment their message is taken until its replies are sent.

Nothing accepted is lost (`deferred`): what does not fit the queue, what failed
and what is still queued when the process stops is kept in the database, and the
generation threads take it back whenever they have room. A batch that fails is
answered again one event at a time, so one bad event costs only itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from serving.channels.messenger.deferred import DeferredEvents
from serving.channels.messenger.events import MessengerEvent
from serving.channels.messenger.send import MessengerOutput, send_replies, send_typing
from serving.chat import ChatEngine, Incoming, Reply

log = logging.getLogger(__name__)

MAX_PENDING = 2000
MAX_BATCH = 64
SEND_THREADS = 8
# How often idle generation threads look for deferred events in the database.
POLL_DEFERRED_S = 5.0


@dataclass
class _Task:
    event: MessengerEvent
    deferred: bool = False  # taken from the database: delete it there once sent
    queued_at: float = field(default_factory=time.monotonic)


class MessengerWorkers:
    """Generation threads and send threads serving one process's webhook."""

    def __init__(
        self,
        engine: ChatEngine,
        output: MessengerOutput,
        generators: int = 1,
        max_pending: int = MAX_PENDING,
        max_batch: int = MAX_BATCH,
        send_threads: int = SEND_THREADS,
        on_idle: Callable[[], None] | None = None,
        store: DeferredEvents | None = None,
    ) -> None:
        self.engine = engine
        self.output = output
        self.max_pending = max_pending
        self.max_batch = max_batch
        self.on_idle = on_idle
        self.store = store
        self._pending: deque[_Task] = deque()
        self._busy: set[str] = set()
        self._in_flight = 0
        self._changed = threading.Condition()
        self._closing = False
        self._senders = ThreadPoolExecutor(send_threads, "messenger-send")
        self._threads = [
            threading.Thread(target=self._run, name=f"messenger-gen-{n}", daemon=True)
            for n in range(generators)
        ]
        for thread in self._threads:
            thread.start()

    def offer(
        self, events: list[MessengerEvent], deferred: bool = False
    ) -> list[MessengerEvent]:
        """Queue as many events as there is room for; the ones that did not fit."""
        with self._changed:
            room = max(0, self.max_pending - len(self._pending))
            self._pending.extend(_Task(event, deferred) for event in events[:room])
            self._changed.notify_all()
        return events[room:]

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until every queued message is answered (for tests and shutdown)."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while self._pending or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout_s: float = 10.0) -> None:
        """Finish what is queued, keep what is left for later, stop the threads."""
        self.wait_idle(timeout_s)
        with self._changed:
            self._closing = True
            left = [task.event for task in self._pending if not task.deferred]
            self._pending.clear()
            self._changed.notify_all()
        if left and self.store is not None:
            self.store.keep(left)
        for thread in self._threads:
            thread.join(timeout_s)
        self._senders.shutdown(wait=True)

    def _take(self) -> list[_Task] | None:
        """Up to `max_batch` tasks of distinct, idle users, oldest first; [] when
        nothing came for a while (time to look at the deferred events)."""
        with self._changed:
            while True:
                if self._closing:
                    return None
                batch, users = [], set()
                for task in self._pending:
                    user = task.event.user_id
                    if user in self._busy or user in users:
                        continue
                    batch.append(task)
                    users.add(user)
                    if len(batch) == self.max_batch:
                        break
                if batch:
                    for task in batch:
                        self._pending.remove(task)
                    self._busy |= users
                    self._in_flight += len(batch)
                    return batch
                if not self._changed.wait(POLL_DEFERRED_S) and self.store is not None:
                    return []

    def _done(self, user_id: str) -> None:
        with self._changed:
            self._busy.discard(user_id)
            self._in_flight -= 1
            self._changed.notify_all()

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            if not batch:
                self._take_back_deferred()
                continue
            handed: set[str] = set()  # users whose replies a send thread now owns
            try:
                self._answer(batch, handed)
            except Exception:  # the job boundary of a background thread
                log.exception("answering %d Messenger messages failed", len(batch))
                failed = [t for t in batch if t.event.user_id not in handed]
                for task in failed:
                    self._done(task.event.user_id)
                self._keep([task.event for task in failed], failed=True)
            if not self._pending:
                self._take_back_deferred()
                if self.on_idle is not None:
                    self.on_idle()

    def _take_back_deferred(self) -> None:
        """Queue deferred events from the database while there is room."""
        if self.store is None:
            return
        with self._changed:
            room = min(self.max_batch, self.max_pending - len(self._pending))
        try:
            events = self.store.take(room)
        except SQLAlchemyError:
            log.warning("deferred Messenger events unreachable", exc_info=True)
            return
        left = self.offer(events, deferred=True)
        if left:
            self.store.keep(left)

    def _keep(self, events: list[MessengerEvent], failed: bool = False) -> None:
        if self.store is None:
            log.warning(
                "%d Messenger events dropped: nowhere to keep them", len(events)
            )
            return
        try:
            self.store.keep(events, failed)
        except SQLAlchemyError:
            log.exception("%d Messenger events could not be kept", len(events))

    def _answer(self, batch: list[_Task], handed: set[str]) -> None:
        """One engine pass for the batch, then hand each user's replies to a sender."""
        typing: dict[str, Future[None]] = {}

        def show_typing(incoming: Incoming) -> None:
            user = incoming.user.user_id
            typing[user] = self._senders.submit(send_typing, self.output, user)

        prepared = []
        for task in batch:  # the rules event by event: one failure costs one event
            try:
                prepared.append((task, self.engine.prepare(task.event.incoming())))
            except Exception:  # the boundary of this one event: kept for later
                log.exception(
                    "answering Messenger event %s failed", task.event.event_id
                )
                self._done(task.event.user_id)
                self._keep([task.event], failed=True)
        batch = [task for task, _step in prepared]
        outcomes = self.engine.finish_batch(
            [task.event.incoming() for task in batch],
            [step for _task, step in prepared],
            on_writing=show_typing,
        )
        for task, outcome in zip(batch, outcomes, strict=True):
            user = task.event.user_id
            future = self._senders.submit(
                self._send, task, outcome.replies, typing.get(user)
            )
            handed.add(user)
            future.add_done_callback(lambda _f, user=user: self._done(user))

    def _send(
        self, task: _Task, replies: tuple[Reply, ...], typing: Future[None] | None
    ) -> None:
        user_id = task.event.user_id
        try:
            if typing is not None:
                typing.result()  # the indicator must not arrive after the reply
            send_replies(self.output, user_id, replies)
            if task.deferred and self.store is not None:
                self.store.done([task.event.event_id])
        except Exception:  # the job boundary of a send thread
            log.exception("sending to Messenger user %s failed", user_id)
