"""The interactions endpoint, `/webhooks/discord`: signature first, then the handler.

Every request is checked against the application's Ed25519 public key before its
body is parsed; a missing or wrong signature is refused with 401 and nothing
else happens (Discord itself sends such requests to test the endpoint). A PING
gets its PONG; anything else goes to the `InteractionHandler`, whose jobs start
when the acknowledgement has been sent to Discord.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Blueprint, Flask, Response, current_app, jsonify, request

from serving.channels.discord.interactions import InteractionHandler
from serving.channels.discord.rest import DiscordRest
from serving.channels.discord.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    PublicKeyError,
    load_public_key,
    signature_ok,
)
from serving.config import Config
from serving.inputs import InputError, load_json

log = logging.getLogger(__name__)

EXTENSION = "discord"
MAX_BODY_BYTES = 1 << 20  # an interaction is a few kilobytes

blueprint = Blueprint("discord", __name__)


def register(app: Flask) -> None:
    """Attach the endpoint; its workers start with the first interaction."""
    app.register_blueprint(blueprint)
    app.extensions[EXTENSION] = DiscordChannel()


class DiscordChannel:
    """The per-process part of the endpoint: the key and the handler, built once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handler: InteractionHandler | None = None
        self._key: tuple[str, Ed25519PublicKey] | None = None

    def public_key(self, config: Config) -> Ed25519PublicKey | None:
        """The configured public key, or None (then every request is refused)."""
        hex_key = config.discord_public_key
        if not hex_key:
            return None
        with self._lock:
            if self._key is None or self._key[0] != hex_key:
                self._key = (hex_key, load_public_key(hex_key))
            return self._key[1]

    def handler(self, app: Flask) -> InteractionHandler:
        """This process's handler (its threads start after any fork, here)."""
        with self._lock:
            if self._handler is None:
                state = app.extensions["mimical"]
                config: Config = state.services.config
                rest = DiscordRest(config.discord_api_url, config.discord_bot_token)
                self._handler = InteractionHandler(state.engine, rest)
                atexit.register(self._handler.close, 5.0)
            return self._handler

    def close(self) -> None:
        """Finish what was started and stop the workers (tests, shutdown)."""
        with self._lock:
            handler, self._handler = self._handler, None
        if handler is not None:
            handler.close()


def _refuse(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message, code=REFUSALS.get(status, "refused")), status


REFUSALS = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}


@blueprint.post("/webhooks/discord")
def receive() -> Any:
    """Verify, then answer at once; the engine's replies follow as a job."""
    channel: DiscordChannel = current_app.extensions[EXTENSION]
    config: Config = current_app.extensions["mimical"].services.config
    try:
        key = channel.public_key(config)
    except PublicKeyError as error:
        log.error("%s: every interaction is refused", error)
        return _refuse(401, "signature cannot be checked")
    if key is None:
        log.error("DISCORD_PUBLIC_KEY is not set: every interaction is refused")
        return _refuse(401, "signature cannot be checked")
    request.max_content_length = MAX_BODY_BYTES  # 413 past this, before reading
    body = request.get_data(cache=False)
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature_ok(key, body, signature, request.headers.get(TIMESTAMP_HEADER)):
        log.warning("interaction with a missing or wrong signature refused")
        return _refuse(401, "invalid request signature")
    try:
        payload = load_json(body, repair=True)
    except InputError:
        return _refuse(400, "body is not JSON")
    if not isinstance(payload, dict):
        return _refuse(400, "body is not an interaction")
    handler = channel.handler(current_app._get_current_object())  # type: ignore[attr-defined]
    answer = handler.answer(payload)
    if answer is None:
        return _refuse(400, "unknown interaction")
    immediate, job = answer
    response = jsonify(immediate)
    if job is not None:
        # Only once Discord has the acknowledgement may the replies edit it.
        response.call_on_close(lambda: handler.start(job))
    return response
