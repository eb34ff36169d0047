"""A local stand-in for the Messenger Send API (`POST {graph}/me/messages`).

It checks the page token (the `Authorization: Bearer` header or the documented
`access_token` query parameter), records every call it receives, answers like the
Graph API does, and can be told to answer the next calls with the documented error
payloads: 190 (bad token), 10 (outside the 24-hour window), 551 (person
unavailable) and 2 (temporary; retry). Runs on 127.0.0.1 in a thread, or as
`python -m tests.standins.graph_api --port N` for the benchmark.
"""

from __future__ import annotations

import argparse
import itertools
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify, request

from tests.local_http import serving_in_thread

VERSION = "v25.0"
PAGE_TOKEN = "standin-page-token"

# Error bodies as the Graph API documents them for the Send API.
ERRORS: dict[int, tuple[int, dict[str, Any]]] = {
    190: (
        401,
        {
            "message": "Error validating access token: The session has been "
            "invalidated because the user changed their password.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 460,
        },
    ),
    10: (
        400,
        {
            "message": "(#10) This message is sent outside of allowed window.",
            "type": "OAuthException",
            "code": 10,
            "error_subcode": 2018278,
        },
    ),
    551: (
        400,
        {
            "message": "(#551) This person isn't available right now.",
            "type": "OAuthException",
            "code": 551,
            "error_subcode": 1545041,
        },
    ),
    2: (
        500,
        {
            "message": "An unexpected error has occurred. Please retry your "
            "request later.",
            "type": "OAuthException",
            "is_transient": True,
            "code": 2,
        },
    ),
}


@dataclass(frozen=True)
class SendCall:
    """One Send API call as received: who, what, and when (time.time())."""

    recipient: str
    body: dict[str, Any]
    at: float
    answered: int  # the HTTP status the stand-in answered
    path: str = ""  # with the query string, as received

    @property
    def text(self) -> str | None:
        """The message text, or None for a sender action."""
        message = self.body.get("message")
        return message.get("text") if isinstance(message, dict) else None

    @property
    def action(self) -> str | None:
        """The sender action (`typing_on`...), or None for a message."""
        return self.body.get("sender_action")

    @property
    def quick_replies(self) -> list[str]:
        """The payloads of the quick replies shown with the message."""
        message = self.body.get("message") or {}
        return [q["payload"] for q in message.get("quick_replies") or []]


class GraphStandIn:
    """The stand-in's state; `app` is its WSGI app, `serve()` runs it on a port."""

    def __init__(self, token: str = PAGE_TOKEN, version: str = VERSION) -> None:
        self.token = token
        self.version = version
        self.calls: list[SendCall] = []
        self.failures: list[int] = []  # error codes to answer before succeeding
        self.on_call: Callable[[SendCall], None] | None = None
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self.app = self._build_app()

    def fail_next(self, code: int, times: int = 1) -> None:
        """Answer the next `times` calls with the documented error for `code`."""
        with self._changed:
            self.failures.extend([code] * times)

    def messages(self, recipient: str | None = None) -> list[SendCall]:
        """Calls that carried a message (not an action), accepted or not."""
        with self._changed:
            return [
                c
                for c in self.calls
                if c.action is None and (recipient is None or c.recipient == recipient)
            ]

    def texts(self, recipient: str) -> list[str]:
        """The texts delivered (answered 200) to one recipient, in order."""
        return [c.text or "" for c in self.messages(recipient) if c.answered == 200]

    def wait_for(
        self, check: Callable[[GraphStandIn], bool], timeout_s: float = 10.0
    ) -> bool:
        """Block until `check(self)` holds (re-checked on every call received)."""
        with self._changed:
            return self._changed.wait_for(lambda: check(self), timeout_s)

    @contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Run on 127.0.0.1 in a thread; yield the Graph base URL (with version)."""
        with serving_in_thread(self.app, port=port, keep_alive=True) as server:
            yield f"http://127.0.0.1:{server.server_port}/{self.version}"

    def _authorized(self) -> bool:
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        given = given or request.args.get("access_token")
        return given is not None and secrets.compare_digest(given, self.token)

    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        recipient = str((body.get("recipient") or {}).get("id", ""))
        with self._changed:
            failure = self.failures.pop(0) if self.failures else None
        if failure is None and not self._authorized():
            failure = 190
        if failure is not None:
            status, error = ERRORS[failure]
            return status, {"error": {**error, "fbtrace_id": secrets.token_hex(6)}}
        if not recipient:
            return 400, {"error": {"message": "(#100) No recipient", "code": 100}}
        if "sender_action" in body:
            return 200, {"recipient_id": recipient}
        if body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            return 400, {"error": {"message": "(#100) bad messaging_type", "code": 100}}
        text = (body.get("message") or {}).get("text", "")
        if len(text) > 2000:
            return 400, {
                "error": {
                    "message": "(#100) Length of param message[text] "
                    "must be less than or equal to 2000",
                    "code": 100,
                }
            }
        return 200, {"recipient_id": recipient, "message_id": f"m_{next(self._ids)}"}

    def _build_app(self) -> Flask:
        app = Flask("graph_standin")

        @app.post("/<version>/me/messages")
        def send(version: str) -> Any:
            body = request.get_json(force=True, silent=True) or {}
            status, answer = (
                self._answer(body)
                if version == self.version
                else (404, {"error": {"message": "Unknown path", "code": 803}})
            )
            call = SendCall(
                str((body.get("recipient") or {}).get("id", "")),
                body,
                time.time(),
                status,
                request.full_path,
            )
            with self._changed:
                self.calls.append(call)
                self._changed.notify_all()
            if self.on_call is not None:
                self.on_call(call)
            return jsonify(answer), status

        return app


def main() -> None:
    """Serve the stand-in on a fixed port until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=PAGE_TOKEN)
    args = parser.parse_args()
    standin = GraphStandIn(args.token)
    with standin.serve(args.port) as url:
        print(url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
