"""The Messenger webhook: verify the subscription, check signatures, queue, answer.

Done better than the connectors in common use: the `X-Hub-Signature-256` HMAC is
checked over the raw body in constant time and a mismatch is refused with 403
(without ever saying what was expected); every entry and every messaging event of a
batch is handled; each message id is claimed once in the database, so Meta's
retries and several server processes never double-reply; and the request is
answered at once while replies are written by background workers.

Once the signature is good the answer is always 200, as Meta asks (it turns off
webhooks that keep failing): a body we cannot read is logged and acknowledged,
events the queue has no room for are kept in the database (`deferred`) and
answered later, and a lone surrogate in one message is repaired, not fatal. Only
a database that cannot record anything gets a 503 (with the claims released),
so Meta's retry finds the events again.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import logging
import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from serving.channels.messenger.deferred import DeferredEvents
from serving.channels.messenger.events import parse_events
from serving.channels.messenger.graph import GraphClient
from serving.channels.messenger.seen import (
    claim_events,
    forget_old_events,
    release_events,
)
from serving.channels.messenger.send import MessengerOutput
from serving.channels.messenger.workers import MessengerWorkers
from serving.chat import GenerationOptions
from serving.config import Config
from serving.db import Database
from serving.inputs import InputError, load_json

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1 << 20  # Meta batches at most 1,000 events, well under this
SIGNATURE_HEADER = "X-Hub-Signature-256"
PRUNE_EVERY_S = 600.0
EXTENSION = "messenger"

blueprint = Blueprint("messenger", __name__)


def register(app: Flask) -> None:
    """Attach the webhook; its workers start on the first message, in that process."""
    app.register_blueprint(blueprint)
    app.extensions[EXTENSION] = MessengerChannel()


def signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is `sha256=<hex HMAC of body>`, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(
        header[len("sha256=") :].lower().encode(), expected.encode()
    )


class MessengerChannel:
    """The per-process part of the channel: workers built on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: MessengerWorkers | None = None
        self._last_prune = 0.0
        self._db: Database | None = None

    def workers(self, app: Flask) -> MessengerWorkers:
        """This process's workers (threads are started after any fork, here)."""
        with self._lock:
            if self._workers is None:
                state = app.extensions["mimical"]
                config: Config = state.services.config
                if not config.fb_page_access_token:
                    log.error("FB_PAGE_ACCESS_TOKEN is not set: replies cannot be sent")
                client = GraphClient(
                    config.fb_graph_url, config.fb_page_access_token or ""
                )
                self._db = state.services.db
                # Replies as long as the deployment allows (short ones chat better
                # and answer faster), whatever the engine was built with.
                engine = state.engine.with_options(
                    GenerationOptions.from_config(config)
                )
                self._workers = MessengerWorkers(
                    engine,
                    MessengerOutput(client),
                    on_idle=self._prune,
                    store=DeferredEvents(self._db, config.secret_key),
                )
                atexit.register(self._workers.close, 5.0)
            return self._workers

    def _prune(self) -> None:
        """Now and then, forget message ids too old to be redelivered."""
        now = time.monotonic()
        if self._db is None or now - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = now
        forget_old_events(self._db)


def _config() -> Config:
    return current_app.extensions["mimical"].services.config


def _refuse(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message, code=REFUSALS.get(status, "refused")), status


REFUSALS = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}


@blueprint.get("/webhooks/messenger")
def verify() -> Any:
    """Meta's subscription handshake: echo the challenge if the token matches."""
    expected = _config().fb_verify_token
    token = request.args.get("hub.verify_token", "")
    if (
        request.args.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return Response(request.args.get("hub.challenge", ""), mimetype="text/plain")
    return _refuse(403, "verification failed")


@blueprint.post("/webhooks/messenger")
def receive() -> Any:
    """Check the signature, claim new message ids, queue them, answer at once."""
    secret = _config().fb_app_secret
    if not secret:
        log.error("FB_APP_SECRET is not set: every webhook call is refused")
        return _refuse(403, "signature cannot be checked")
    request.max_content_length = MAX_BODY_BYTES  # 413 past this, before reading
    body = request.get_data(cache=False)
    if not signature_ok(body, request.headers.get(SIGNATURE_HEADER), secret):
        log.warning("webhook call with a missing or wrong signature refused")
        return _refuse(403, "bad signature")
    try:
        payload = load_json(body, repair=True)
    except InputError as error:
        log.warning("signed webhook body not read: %s", error)
        return Response("EVENT_RECEIVED", mimetype="text/plain")
    events = parse_events(payload)
    if not events:
        return Response("EVENT_RECEIVED", mimetype="text/plain")
    channel: MessengerChannel = current_app.extensions[EXTENSION]
    workers = channel.workers(current_app._get_current_object())  # type: ignore[attr-defined]
    db = current_app.extensions["mimical"].services.db
    claimed: list[str] = []
    try:
        claimed = claim_events(db, [event.event_id for event in events])
        fresh, unclaimed = [], set(claimed)
        for event in events:  # a mid twice in one body is answered once
            if event.event_id in unclaimed:
                unclaimed.discard(event.event_id)
                fresh.append(event)
        overflow = workers.offer(fresh)
        if overflow:
            workers.store.keep(overflow)  # type: ignore[union-attr]
            log.info("webhook: %d events kept for later", len(overflow))
    except SQLAlchemyError:
        log.exception("webhook events could not be recorded; Meta will retry")
        _release_quietly(db, claimed)
        response = jsonify(error="busy, try again", code="busy")
        response.headers["Retry-After"] = "5"
        return response, 503
    log.debug(
        "webhook: %d events, %d new, %d duplicates",
        len(events),
        len(fresh),
        len(events) - len(fresh),
    )
    return Response("EVENT_RECEIVED", mimetype="text/plain")


def _release_quietly(db: Database, claimed: list[str]) -> None:
    """Give back claims so Meta's retry is answered (if the database lets us)."""
    try:
        release_events(db, claimed)
    except SQLAlchemyError:
        log.warning("claims of %d events could not be released", len(claimed))
