"""Fuzzing: every route of /api/openapi.json, the webhooks and the WebSocket frames.

Whatever a caller sends, the answer is never a 5xx, and every error is JSON with
an `error` and a `code` (OpenAI's `{"error": {...}}` on /v1). Examples are bounded
so the whole file runs in about a minute on two cores; the seed is fixed so a
failure is found again by the next run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serving.app import create_app
from serving.channels.messenger.graph import GraphClient
from serving.channels.web import ChatConnection, SessionTokens, Visitor, WebGuards
from serving.channels.web.limits import WebLimits
from serving.config import Config
from serving.openapi import openapi_document
from tests.serving.channels.conftest import close_app
from tests.serving.test_limits_and_jobs import Recorder

pytestmark = pytest.mark.slow

APP_SECRET = "fuzz-app-secret"
DISCORD_KEY = Ed25519PrivateKey.generate()
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# Any JSON value, strings with any code point (lone surrogates included), nested.
_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
JSON = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_event = st.fixed_dictionaries(
    {"sender": st.fixed_dictionaries({"id": st.text(max_size=6) | st.integers()})},
    optional={
        "message": st.fixed_dictionaries(
            {},
            optional={"mid": st.text(max_size=8), "text": st.text(), "is_echo": JSON},
        ),
        "postback": st.dictionaries(st.sampled_from(["payload", "title", "mid"]), JSON),
        "timestamp": JSON,
    },
)
MESSENGER = st.fixed_dictionaries(
    {"object": st.just("page"), "entry": st.lists(
        st.fixed_dictionaries({"messaging": st.lists(_event, max_size=4)}), max_size=3
    )}
)  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app, its jobs recorded instead of run, generous rate limits."""
    config = Config(
        home=tmp_path_factory.mktemp("fuzz-home"),
        secret_key="fuzz-secret-key-of-at-least-32-characters",
        fb_app_secret=APP_SECRET,
        fb_page_access_token="fuzz-page-token",
        fb_graph_url="http://127.0.0.1:9/v25.0",  # nobody: sends fail and are logged
        discord_public_key=DISCORD_KEY.public_key().public_bytes_raw().hex(),
        discord_api_url="http://127.0.0.1:9/api/v10",
    )
    config = replace(config, rate_create="1000/minute", rate_owner="1000/minute")
    built = create_app(config, start_jobs=False)
    built.extensions["mimical"].runner.shutdown()
    built.extensions["mimical"].runner = Recorder()
    with pytest.MonkeyPatch.context() as patch:
        # Replies go nowhere at once (no retries with random backoff meanwhile).
        patch.setattr(GraphClient, "post", lambda _self, _payload: {})
        yield built
        close_app(built)


# The document `/api/openapi.json` serves (built without an app).
DOCUMENT = openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def documented_html(path: str, method: str, status: int) -> bool:
    """Whether the document says this answer is an HTML page (the owner's pages
    answer a browser with a page, errors included)."""
    operation = DOCUMENT["paths"][path].get(method.lower(), {})  # TRACE is tried too
    answers = operation.get("responses", {})
    answer = answers.get(str(status), answers.get(f"{status // 100}XX", {}))
    return "text/html" in answer.get("content", {})


def assert_json_error(path: str, status: int, body: Any) -> None:
    """A 4xx body is JSON with an error and a code, in the route's shape."""
    assert isinstance(body, dict), body
    if path.startswith("/v1/"):
        assert {"message", "type", "code"} <= set(body["error"]), body
    else:
        assert {"error", "code"} <= set(body), body


@schema.parametrize()
@FUZZ
def test_no_route_answers_5xx_and_every_error_is_json(app: Flask, case: Any) -> None:
    case.operation.schema.app = app  # called in process, through WSGI
    response = case.call(app=app)

    assert response.status_code < 500, (case.path, response.text[:300])
    status = response.status_code
    kinds = response.headers.get("content-type", [])  # lists, lower-cased
    page = any(kind.startswith("text/html") for kind in kinds)
    if status >= 400 and case.path != "/chat/ws":
        # An owner's form answers with a page; routing errors before it, in JSON.
        if not (page and documented_html(case.path, case.method, status)):
            assert_json_error(case.path, status, response.json())


def _signed_messenger(app: Flask, body: bytes) -> Any:
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return app.test_client().post(
        "/webhooks/messenger",
        data=body,
        headers={"X-Hub-Signature-256": f"sha256={digest}"},
        content_type="application/json",
    )


@given(payload=MESSENGER | JSON)
@FUZZ
def test_any_signed_messenger_body_is_acknowledged(app: Flask, payload: Any) -> None:
    body = json.dumps(payload).encode()  # escapes lone surrogates, as Meta's JSON may

    assert _signed_messenger(app, body).status_code == 200


@given(payload=JSON)
@FUZZ
def test_any_signed_discord_interaction_gets_a_json_4xx_or_200(
    app: Flask, payload: Any
) -> None:
    body = json.dumps(payload).encode()
    stamp = str(int(__import__("time").time()))
    headers = {
        "X-Signature-Timestamp": stamp,
        "X-Signature-Ed25519": DISCORD_KEY.sign(stamp.encode() + body).hex(),
    }

    response = app.test_client().post(
        "/webhooks/discord", data=body, headers=headers, content_type="application/json"
    )

    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert_json_error("/webhooks/discord", 400, response.json)


class FrameSocket:
    """A WebSocket that delivers given frames, then goes quiet; records closes."""

    def __init__(self, frames: list[str | bytes]) -> None:
        self.frames = frames
        self.sent: list[str] = []
        self.closed: int | None = None

    def send(self, data: str) -> None:
        self.sent.append(data)

    def receive(self, timeout: float | None = None) -> str | bytes | None:
        return self.frames.pop(0) if self.frames else None

    def close(self, reason: int | None = None, message: str | None = None) -> None:
        self.closed = reason


_frame = st.one_of(
    JSON.map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["message", "choose"])},
        optional={"text": JSON, "persona": JSON},
    ).map(json.dumps),
    st.text(),
    st.binary(max_size=16),
)


@given(frames=st.lists(_frame, max_size=4))
@FUZZ
def test_any_websocket_frames_end_in_a_clean_close(
    app: Flask, frames: list[str | bytes]
) -> None:
    hello: list[str | bytes] = [json.dumps({"type": "hello"})]
    ws = FrameSocket(hello + frames)
    guards = WebGuards(WebLimits(burst=100, ip_burst=100))
    tokens = SessionTokens(app.config["SECRET_KEY"])
    visitor = Visitor(ip="203.0.113.9", cookie_session=None, pinned=None)

    ChatConnection(ws, app.extensions["mimical"].engine, tokens, guards, visitor).run()

    assert ws.closed in (1000, 1003, 1008)
    assert all(json.loads(frame)["type"] for frame in ws.sent)
