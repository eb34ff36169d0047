"""Interactions: slash commands, buttons and the password form, answered in time.

Discord wants an answer to every interaction within 3 seconds, and a persona's
model may take longer. So every event is acknowledged at once with a deferred
response (Discord shows "thinking…", our typing indicator), and the engine's
replies follow from a worker thread: the first fills in the deferred response,
the rest are follow-ups, all seen by the user alone. A worker starts only once
the acknowledgement has gone out (Discord refuses edits of an interaction it has
not seen answered). The password button needs no engine: it opens the private
form, whose submission is the engine's `PASSWORD` event.

The same handler serves both ways interactions arrive: the HTTP endpoint
(`serving.channels.discord.webhook`) and the gateway bot, when no endpoint URL
is set in the Developer Portal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from serving.channels.base import converse
from serving.channels.discord.events import (
    COMPONENT,
    PASSWORD_BUTTON,
    PING,
    interaction_events,
)
from serving.channels.discord.output import EPHEMERAL, InteractionOutput, password_form
from serving.channels.discord.rest import DiscordApiError, DiscordRest
from serving.chat import ChatEngine, Incoming

log = logging.getLogger(__name__)

PONG = {"type": 1}
DEFERRED = {"type": 5, "data": {"flags": EPHEMERAL}}
WORKERS = 4

Job = Callable[[], None]
Answer = tuple[dict[str, Any], Job | None]


class InteractionHandler:
    """Turns one interaction into an immediate answer and, maybe, a job."""

    def __init__(
        self, engine: ChatEngine, rest: DiscordRest, workers: int = WORKERS
    ) -> None:
        self.engine = engine
        self.rest = rest
        self._pool = ThreadPoolExecutor(workers, "discord-interactions")
        self._running = 0
        self._changed = threading.Condition()

    def answer(self, payload: dict[str, Any]) -> Answer | None:
        """The response to send now and the job to start after it; None: not ours."""
        kind = payload.get("type")
        if kind == PING:
            return PONG, None
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        if kind == COMPONENT and data.get("custom_id") == PASSWORD_BUTTON:
            return password_form(), None
        events = interaction_events(payload)
        application_id = payload.get("application_id")
        token = payload.get("token")
        if not events or not isinstance(token, str) or application_id is None:
            return None
        output = InteractionOutput(self.rest, str(application_id), token)
        with self._changed:
            self._running += 1  # pending from now until `start` or `drop`
        return DEFERRED, lambda: self._reply(events, output)

    def start(self, job: Job) -> None:
        """Run a job `answer` gave on a worker thread (once Discord has the answer)."""
        self._pool.submit(self._run, job)

    def drop(self, job: Job) -> None:
        """Forget a job `answer` gave whose acknowledgement could not be sent."""
        self._finished()

    def wait_idle(self, timeout_s: float = 20.0) -> bool:
        """Block until every job given out is done (for tests and shutdown)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._running == 0, timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Finish the jobs started, then stop the workers."""
        self.wait_idle(timeout_s)
        self._pool.shutdown(wait=True)

    def _run(self, job: Job) -> None:
        try:
            job()
        except Exception:  # the job boundary of a worker thread
            log.exception("answering a Discord interaction failed")
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._changed:
            self._running -= 1
            self._changed.notify_all()

    def _reply(self, events: list[Incoming], output: InteractionOutput) -> None:
        """The engine's answers, as the deferred response and its follow-ups."""
        try:
            for incoming in events:
                converse(self.engine, output, incoming)
            if output.sent == 0:  # nothing new to say: take "thinking…" away
                self.rest.delete_original(output.application_id, output.token)
        except DiscordApiError as error:
            log.warning("reply to a Discord interaction dropped: %s", error)
