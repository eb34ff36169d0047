"""The app served on 127.0.0.1 for the official `openai` client, with personas.

Romeo and Mercutio (who texts in bursts) are public; Juliet is private, and her
owner's manage token is kept to make API keys; Tybalt is public but still being
built. The rate limits are loose here; a test that needs tight ones serves an app
of its own on the same database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import openai
import pytest
import requests
from flask import Flask

from serving.channels.openai import LIMITS_KEY, OpenAILimits
from serving.config import Config
from serving.models import PersonaStatus
from serving.personas import create_persona
from serving.services import Services
from serving.storage import new_artifact_key
from tests.serving.channels.tiny_persona import (
    add_pending_persona,
    add_ready_persona,
    bursty_artifact,
    tiny_artifact,
)
from tests.serving.served import served_app

LOOSE = OpenAILimits(burst=1000, per_minute=1000.0, key_burst=1000)


@dataclass
class ApiWorld:
    """The served app, its URL and Juliet's manage token."""

    app: Flask
    services: Services
    url: str
    juliet_token: str

    def client(self, api_key: str = "none", url: str | None = None) -> openai.OpenAI:
        """The official client pointed at this server (no retries: tests count).

        The client insists on a key; one that is not ours means anonymous."""
        return openai.OpenAI(
            base_url=f"{url or self.url}/v1", api_key=api_key, max_retries=0
        )

    def new_key(self, label: str = "") -> str:
        """A fresh API key for Juliet, made through the owner's route."""
        response = requests.post(
            f"{self.url}/api/personas/Juliet/keys",
            json={"label": label},
            headers={"Authorization": f"Bearer {self.juliet_token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()["key"]


@pytest.fixture(scope="module")
def api_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    tiny = tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))
    bursty = bursty_artifact(tmp_path_factory.mktemp("bursty-persona"))
    config = Config(
        home=tmp_path_factory.mktemp("api-home"),
        secret_key="api-secret-of-at-least-32-characters",
    )
    with served_app(config, **{LIMITS_KEY: LOOSE}) as (app, url):
        services = app.extensions["mimical"].services
        add_ready_persona(services, tiny, "Romeo")
        add_ready_persona(services, bursty, "Mercutio")
        add_pending_persona(services, "Tybalt")
        with services.db.session() as session:
            juliet, token = create_persona(session, "Juliet", False, None)
            key = new_artifact_key(juliet.id)
            services.storage.put_tree(tiny, key)
            juliet.artifact_key, juliet.status = key, PersonaStatus.READY
        yield ApiWorld(app, services, url, token)


@pytest.fixture
def serve_with(api_world: ApiWorld) -> Iterator[Callable[[OpenAILimits], str]]:
    """Serve another app on the same database with these limits; its URL."""
    with ExitStack() as stack:

        def start(limits: OpenAILimits) -> str:
            config = api_world.services.config
            _app, url = stack.enter_context(served_app(config, **{LIMITS_KEY: limits}))
            return url

        yield start
