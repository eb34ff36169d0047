"""A local stand-in for Discord: its HTTP API, its gateway, and its signatures.

The HTTP half answers what the channel and discord.py call, as Discord documents
it: the bot's own user and application (`Authorization: Bot TOKEN` checked),
`GET /gateway/bot` (pointing at the gateway half), messages and typing in
channels, interaction callbacks, edits and follow-ups of interaction responses
(refused with "Unknown Webhook" until the interaction was acknowledged, as
Discord does), and bulk command registration. It checks the 2,000-character
and five-buttons-a-row limits, can answer the next calls of a route with 429
and a `retry_after`, and records every call. As "Discord", it also signs the
interactions a test sends to our endpoint with the application's Ed25519 key.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask, jsonify, request
from flask_sock import Sock

from tests.local_http import serving_in_thread
from tests.standins.discord_gateway import GatewayStandIn

BOT_TOKEN = "standin-bot-token"
APPLICATION_ID = "900000000000000001"
BOT_ID = "900000000000000002"
BOT_USER = {"id": BOT_ID, "username": "mimical", "discriminator": "0", "avatar": None}
UNKNOWN_WEBHOOK = 10015
ACK_WAIT_S = 2.0  # an edit may overtake its acknowledgement by a moment


@dataclass(frozen=True)
class ApiCall:
    """One HTTP call as received: route name, path, body, when, the answer."""

    route: str
    method: str
    path: str
    body: Any
    at: float
    status: int

    @property
    def text(self) -> str | None:
        """The message text the call carried, if any."""
        return self.body.get("content") if isinstance(self.body, dict) else None


class DiscordStandIn:
    """The stand-in's state; `serve()` runs both halves on one port."""

    def __init__(self, token: str = BOT_TOKEN, heartbeat_ms: int = 1000) -> None:
        self.token = token
        self.key = Ed25519PrivateKey.generate()
        self.calls: list[ApiCall] = []
        self.gateway = GatewayStandIn(
            token,
            {
                "user": {**BOT_USER, "bot": True},
                "guilds": [],
                "application": {"id": APPLICATION_ID, "flags": 0},
            },
            heartbeat_ms,
        )
        self._limits: dict[str, list[float]] = {}
        self._acknowledged: set[str] = set()
        self._changed = threading.Condition()
        self._ids = itertools.count(int(time.time() * 1000) << 22)
        self.app = self._build_app()

    # -- what tests do -------------------------------------------------------

    @property
    def public_key(self) -> str:
        """The application's public key as the Developer Portal shows it (hex)."""
        return self.key.public_key().public_bytes_raw().hex()

    def snowflake(self) -> str:
        """A new Discord id."""
        return str(next(self._ids))

    def sign(self, body: bytes, timestamp: str | None = None) -> dict[str, str]:
        """The headers Discord sends with an interaction."""
        timestamp = timestamp or str(int(time.time()))
        signature = self.key.sign(timestamp.encode() + body).hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp}

    def acknowledge(self, token: str) -> None:
        """Note that an interaction was answered (as our endpoint's response is)."""
        with self._changed:
            self._acknowledged.add(token)
            self._changed.notify_all()

    def rate_limit(self, route: str, retry_after: float, times: int = 1) -> None:
        """Answer the next `times` calls of a route with 429 and this retry_after."""
        with self._changed:
            self._limits.setdefault(route, []).extend([retry_after] * times)

    def called(self, route: str, status: int | None = 200) -> list[ApiCall]:
        """Calls of a route (answered with `status`; None: any), in order."""
        with self._changed:
            return [
                c
                for c in self.calls
                if c.route == route and (status is None or c.status == status)
            ]

    def wait_for(self, check: Any, timeout_s: float = 20.0) -> bool:
        """Block until `check(self)` holds (re-checked on every call received)."""
        with self._changed:
            return self._changed.wait_for(lambda: check(self), timeout_s)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Run on 127.0.0.1 in a thread; yield the API base URL."""
        with serving_in_thread(self.app) as server:
            base = f"127.0.0.1:{server.server_port}"
            self.gateway_url = f"ws://{base}/gateway"
            self.gateway.resume_url = f"ws://{base}/resume"
            yield f"http://{base}/api/v10"

    # -- the HTTP API -------------------------------------------------------------

    def _record(self, route: str, body: Any, status: int) -> None:
        call = ApiCall(route, request.method, request.path, body, time.time(), status)
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _answer(self, route: str, bot_auth: bool, build: Any) -> Any:
        body = request.get_json(silent=True) if request.data else None
        with self._changed:
            pending = self._limits.get(route)
            retry_after = pending.pop(0) if pending else None
        if retry_after is not None:
            status, answer = (
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": False,
                },
            )
        elif bot_auth and not self._bot_authorized():
            status, answer = 401, {"message": "401: Unauthorized", "code": 0}
        else:
            status, answer = build(body)
        self._record(route, body, status)
        if status == 204:
            return "", 204
        response = jsonify(answer)
        if status == 429:
            response.headers["Retry-After"] = str(max(1, round(retry_after or 0)))
        return response, status

    def _bot_authorized(self) -> bool:
        given = request.headers.get("Authorization", "")
        return secrets.compare_digest(given, f"Bot {self.token}")

    def _message(self, body: Any, channel_id: str) -> tuple[int, dict[str, Any]]:
        problem = _invalid_message(body)
        if problem:
            return 400, {
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": problem,
            }
        return 200, {
            "id": self.snowflake(),
            "channel_id": channel_id,
            "author": {**BOT_USER, "bot": True},
            "content": body.get("content", ""),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": body.get("components", []),
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
        }

    def _webhook(self, token: str, body: Any, build: Any) -> tuple[int, Any]:
        with self._changed:
            seen = self._changed.wait_for(
                lambda: token in self._acknowledged, ACK_WAIT_S
            )
        if not seen:
            return 404, {"message": "Unknown Webhook", "code": UNKNOWN_WEBHOOK}
        return build(body)

    def _build_app(self) -> Flask:
        app = Flask("discord_standin")
        api = "/api/v10"
        sock = Sock(app)
        me = {**BOT_USER, "bot": True}
        application = {
            "id": APPLICATION_ID,
            "name": "mimical",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": {**BOT_USER, "id": "900000000000000003", "username": "owner"},
            "verify_key": self.public_key,
            "flags": 0,
        }

        @app.get(f"{api}/users/@me")
        def get_me() -> Any:
            return self._answer("me", True, lambda _b: (200, me))

        @app.get(f"{api}/oauth2/applications/@me")
        def get_application() -> Any:
            return self._answer("application", True, lambda _b: (200, application))

        @app.get(f"{api}/gateway/bot")
        def get_gateway() -> Any:
            limits = {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            }
            answer = {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": limits,
            }
            return self._answer("gateway", True, lambda _b: (200, answer))

        @app.post(f"{api}/channels/<channel_id>/messages")
        def create_message(channel_id: str) -> Any:
            build = lambda body: self._message(body or {}, channel_id)  # noqa: E731
            return self._answer("create message", True, build)

        @app.post(f"{api}/channels/<channel_id>/typing")
        def typing(channel_id: str) -> Any:
            return self._answer("typing", True, lambda _b: (204, None))

        @app.put(f"{api}/applications/<app_id>/commands")
        @app.put(f"{api}/applications/<app_id>/guilds/<guild_id>/commands")
        def put_commands(app_id: str, guild_id: str | None = None) -> Any:
            def build(body: Any) -> tuple[int, Any]:
                if app_id != APPLICATION_ID or not isinstance(body, list):
                    return 400, {"message": "Invalid Form Body", "code": 50035}
                named = [
                    {**c, "id": self.snowflake(), "application_id": app_id}
                    for c in body
                ]
                return 200, named

            return self._answer("commands", True, build)

        @app.post(f"{api}/interactions/<interaction_id>/<token>/callback")
        def callback(interaction_id: str, token: str) -> Any:
            self.acknowledge(token)
            return self._answer("callback", False, lambda _b: (204, None))

        @app.patch(f"{api}/webhooks/<app_id>/<token>/messages/@original")
        def edit_original(app_id: str, token: str) -> Any:
            build = lambda body: self._webhook(  # noqa: E731
                token, body, lambda b: self._message(b or {}, "interaction")
            )
            return self._answer("edit original", False, build)

        @app.delete(f"{api}/webhooks/<app_id>/<token>/messages/@original")
        def delete_original(app_id: str, token: str) -> Any:
            build = lambda body: self._webhook(token, body, lambda b: (204, None))  # noqa: E731
            return self._answer("delete original", False, build)

        @app.post(f"{api}/webhooks/<app_id>/<token>")
        def follow_up(app_id: str, token: str) -> Any:
            build = lambda body: self._webhook(  # noqa: E731
                token, body, lambda b: self._message(b or {}, "interaction")
            )
            return self._answer("follow-up", False, build)

        @sock.route("/gateway")
        def gateway(ws: Any) -> None:
            self.gateway.serve(ws, "/gateway")

        @sock.route("/resume")
        def resume(ws: Any) -> None:
            self.gateway.serve(ws, "/resume")

        return app


def _invalid_message(body: Any) -> dict[str, str]:
    """What Discord would refuse in a message body (empty: nothing)."""
    if not isinstance(body, dict):
        return {"body": "not an object"}
    content = body.get("content", "")
    if not content and not body.get("components"):
        return {"content": "Cannot send an empty message"}
    if len(content) > 2000:
        return {"content": "Must be 2000 or fewer in length."}
    for row in body.get("components") or []:
        if len(row.get("components", [])) > 5:
            return {"components": "Must be 5 or fewer in length."}
    if len(body.get("components") or []) > 5:
        return {"components": "Must be 5 or fewer in length."}
    return {}
