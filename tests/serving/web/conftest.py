"""Fixtures for the web chat: a real server on 127.0.0.1, personas, a browser.

One world per test run: a home folder, three ready personas sharing the tiny
trained model, and the app served by werkzeug in a thread. Tests that need tight
limits start their own app on the same database with `start_server`.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from simple_websocket import Client, ConnectionClosed

from serving.app import create_app, shutdown_app
from serving.channels.web import LIMITS_KEY
from serving.channels.web.limits import WebLimits
from serving.config import Config
from serving.models import PersonaStatus
from serving.personas import create_persona, find_persona
from serving.services import Services
from serving.storage import new_artifact_key
from tests.local_http import serving_in_thread
from tests.serving.channels.tiny_persona import tiny_artifact
from tests.serving.served import served_app

PASSWORD = "let-me-in"


@dataclass
class World:
    """The served app and what the tests need to know about it."""

    app: Flask
    services: Services
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    host_url: str = ""

    @property
    def ws_url(self) -> str:
        """The chat WebSocket's URL."""
        return self.url.replace("http://", "ws://") + "/chat/ws"

    def set_persona(self, name: str, **values: Any) -> None:
        """Change a persona's web settings straight in the database."""
        with self.services.db.session() as session:
            persona = find_persona(session, name)
            assert persona is not None
            for key, value in values.items():
                setattr(persona, key, value)


def _register(services: Services, artifact: Path, name: str, **options: Any) -> str:
    """A ready persona using the tiny model; its manage token."""
    with services.db.session() as session:
        persona, token = create_persona(
            session, name, options.get("public", True), options.get("password")
        )
        key = new_artifact_key(persona.id)
        services.storage.put_tree(artifact, key)
        persona.artifact_key = key
        persona.status = PersonaStatus.READY
        persona.embed_origins = options.get("embed_origins", [])
    return token


def _host_page(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """Someone's site: a page embedding the widget for ?persona= from ?server=."""
    query = parse_qs(environ.get("QUERY_STRING", ""))
    persona = query.get("persona", ["Juliet"])[0]
    server = query.get("server", [""])[0]
    body = (
        "<!doctype html><html><head><title>My site</title></head><body>"
        "<h1>Welcome to my site</h1>"
        f'<script src="{server}/static/widget.js" data-persona="{persona}" '
        'data-open="true"></script></body></html>'
    ).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [body]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The app with Romeo, Juliet (embeddable by the host site), Tybalt (private)
    and Mercutio (whose settings the API tests change)."""
    artifact = tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))
    home = tmp_path_factory.mktemp("web-home")
    app = create_app(
        Config(
            home=home,
            secret_key="web-test-secret-of-at-least-32-chars",
            rate_owner="10000/minute",  # one app for the whole session's tests
        )
    )
    app.config[LIMITS_KEY] = WebLimits(ip_burst=1000)
    services = app.extensions["mimical"].services
    with serving_in_thread(_host_page) as host, serving_in_thread(app) as server:
        host_url = f"http://127.0.0.1:{host.server_port}"
        tokens = {
            "Romeo": _register(services, artifact, "Romeo"),
            "Juliet": _register(services, artifact, "Juliet", embed_origins=[host_url]),
            "Tybalt": _register(
                services, artifact, "Tybalt", public=False, password=PASSWORD
            ),
            "Mercutio": _register(services, artifact, "Mercutio"),
        }
        yield World(
            app,
            services,
            f"http://127.0.0.1:{server.server_port}",
            tokens,
            host_url,
        )
    shutdown_app(app)


@pytest.fixture
def start_server(world: World) -> Iterator[Callable[[WebLimits], World]]:
    """Serve another app on the world's database, with the given limits."""
    with ExitStack() as stack:

        def start(limits: WebLimits) -> World:
            app, url = stack.enter_context(
                served_app(world.services.config, **{LIMITS_KEY: limits})
            )
            services = app.extensions["mimical"].services
            return World(app, services, url, world.tokens, world.host_url)

        yield start


class ChatSocket:
    """A test visitor on the WebSocket, reading frames as JSON."""

    def __init__(self, url: str, origin: str | None = None, persona: str = "") -> None:
        target = f"{url}?persona={persona}" if persona else url
        headers = {"Origin": origin} if origin else None
        self.ws = Client.connect(target, headers=headers)
        self.token = ""

    def send(self, frame: dict[str, Any] | str | bytes) -> None:
        """Send a frame (a dict is sent as JSON)."""
        self.ws.send(json.dumps(frame) if isinstance(frame, dict) else frame)

    def receive(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next frame; fails the test if none comes in time."""
        data = self.ws.receive(timeout=timeout)
        assert data is not None, "no frame from the server in time"
        return json.loads(data)

    def until(self, kind: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Frames up to and including the next one of type `kind`."""
        frames = []
        while True:
            frame = self.receive(timeout)
            frames.append(frame)
            if frame["type"] == "session":
                self.token = frame["token"]
            if frame["type"] == kind:
                return frames

    def hello(self, resume: str | None = None) -> list[dict[str, Any]]:
        """Say hello; the frames up to the history (not the replies after it)."""
        self.send({"type": "hello", "resume": resume})
        return self.until("history")

    def greeted(self) -> list[dict[str, Any]]:
        """Say hello as a new visitor; the greeting (its last reply lists personas)."""
        self.hello()
        frames = self.until("reply")
        while not frames[-1]["options"]:
            frames += self.until("reply")
        return frames

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send a message; the frames up to the first reply or error."""
        self.send({"type": "message", "text": text})
        frames = []
        while not frames or frames[-1]["type"] not in ("reply", "error"):
            frames.append(self.receive())
        return frames

    def close_code(self, timeout: float = 10.0) -> int:
        """Wait for the server to close; its close code."""
        try:
            while self.ws.receive(timeout=timeout) is not None:
                pass
        except ConnectionClosed as closed:
            return int(closed.reason)
        raise AssertionError("the server did not close the socket")

    def close(self) -> None:
        """Leave (if still connected)."""
        try:
            self.ws.close()
        except ConnectionClosed:
            pass


@pytest.fixture
def connect(world: World) -> Iterator[Callable[..., ChatSocket]]:
    """Open chat sockets (to the world by default); all closed after the test."""
    opened: list[ChatSocket] = []

    def open_socket(
        origin: str | None = None, persona: str = "", on: World | None = None
    ) -> ChatSocket:
        socket = ChatSocket((on or world).ws_url, origin, persona)
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        socket.close()


def handshake_status(url: str, origin: str | None, persona: str = "") -> int:
    """The HTTP status a browser's WebSocket handshake would get."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    if origin:
        headers["Origin"] = origin
    path = "/chat/ws" + (f"?persona={persona}" if persona else "")
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
