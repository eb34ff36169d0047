"""Fixtures for the channel tests: the tiny persona, the Graph stand-in, the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from serving.app import create_app, shutdown_app
from serving.channels.messenger import EXTENSION
from serving.config import Config
from serving.services import Services
from tests.serving.channels import payloads
from tests.serving.channels.tiny_persona import add_ready_persona, tiny_artifact
from tests.standins.graph_api import PAGE_TOKEN, GraphStandIn

APP_SECRET = "standin-app-secret"
VERIFY_TOKEN = "standin-verify-token"


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny trained model's artifact folder (trained once per run)."""
    return tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))


@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    """The Send API stand-in, serving on 127.0.0.1 for one test."""
    standin = GraphStandIn()
    with standin.serve() as url:
        standin.url = url  # type: ignore[attr-defined]
        yield standin


@pytest.fixture
def messenger_config(config: Config, graph: GraphStandIn) -> Config:
    """The test config with a Page configured against the stand-in."""
    return replace(
        config,
        fb_page_access_token=PAGE_TOKEN,
        fb_app_secret=APP_SECRET,
        fb_verify_token=VERIFY_TOKEN,
        fb_graph_url=graph.url,  # type: ignore[attr-defined]
    )


@pytest.fixture
def app(messenger_config: Config) -> Iterator[Flask]:
    """The whole app, as `mimical serve` builds it."""
    built = create_app(messenger_config)
    yield built
    close_app(built)


def close_app(app: Flask) -> None:
    """Stop the app's background threads and close its database."""
    channel = app.extensions[EXTENSION]
    if channel._workers is not None:
        channel._workers.close(5.0)
    shutdown_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def app_services(app: Flask) -> Services:
    """The services the app runs on (its database and storage)."""
    return app.extensions["mimical"].services


@pytest.fixture
def romeo(app_services: Services, artifact: Path) -> str:
    """A ready public persona called Romeo; its artifact key."""
    return add_ready_persona(app_services, artifact)


SignedPost = Callable[..., TestResponse]


@pytest.fixture
def signed_post(client: FlaskClient) -> SignedPost:
    """POST a webhook body signed with the app secret (or a given signature)."""

    def post(
        payload: dict[str, Any] | bytes,
        signature: str | None = None,
        secret: str = APP_SECRET,
    ) -> TestResponse:
        body = payload if isinstance(payload, bytes) else payloads.encode(payload)
        header = signature if signature is not None else payloads.sign(body, secret)
        return client.post(
            "/webhooks/messenger",
            data=body,
            headers={"X-Hub-Signature-256": header},
            content_type="application/json",
        )

    return post


def wait_answered(app: Flask, timeout_s: float = 20.0) -> None:
    """Block until the app's Messenger workers have sent every reply."""
    channel = app.extensions[EXTENSION]
    assert channel.workers(app).wait_idle(timeout_s), "replies still pending"
