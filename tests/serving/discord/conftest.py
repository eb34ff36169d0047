"""One Discord world per module: the app, the Discord stand-in, the gateway bot.

The app serves the interactions endpoint on 127.0.0.1 (werkzeug in a thread, so
the replies' jobs start when the acknowledgement has really been sent); the bot
logs in and opens its gateway connection against the stand-in, as `mimical
discord run` does against Discord. Personas: Romeo (public), Juliet (private).
Each test uses channels and users of its own, so sessions never leak.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask

from serving.app import create_app, shutdown_app
from serving.channels.discord import EXTENSION, InteractionHandler
from serving.channels.discord.gateway import PersonaBot
from serving.config import Config
from serving.services import Services
from tests.local_http import serving_in_thread
from tests.serving.channels.tiny_persona import add_ready_persona, tiny_artifact
from tests.serving.discord.bot import running_bot
from tests.standins.discord_api import (
    APPLICATION_ID,
    BOT_TOKEN,
    ApiCall,
    DiscordStandIn,
)
from tests.standins.discord_payloads import encode

PASSWORD = "wherefore-art-thou-42"


def discord_settings(standin: DiscordStandIn, api_url: str) -> dict[str, Any]:
    """The Config fields of an app that talks to the stand-in."""
    return {
        "discord_application_id": APPLICATION_ID,
        "discord_public_key": standin.public_key,
        "discord_bot_token": BOT_TOKEN,
        "discord_api_url": api_url,
    }


@dataclass
class DiscordWorld:
    """The served app, the stand-in and the running bot."""

    app: Flask
    services: Services
    url: str
    discord: DiscordStandIn
    bot: PersonaBot

    @property
    def handler(self) -> InteractionHandler:
        """The endpoint's interaction handler."""
        return self.app.extensions[EXTENSION].handler(self.app)

    def post(
        self, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> requests.Response:
        """POST an interaction as Discord does: signed, unless headers are given."""
        body = encode(payload)
        sent = headers if headers is not None else self.discord.sign(body)
        response = requests.post(
            self.url + "/webhooks/discord",
            data=body,
            headers={**sent, "Content-Type": "application/json"},
            timeout=10,
        )
        if response.status_code == 200:
            self.discord.acknowledge(payload["token"])
        return response

    def interact(self, payload: dict[str, Any]) -> tuple[dict[str, Any], list[ApiCall]]:
        """Send an interaction; its immediate answer and the messages that followed."""
        response = self.post(payload)
        assert response.status_code == 200, response.text
        assert self.handler.wait_idle(), "interaction replies still pending"
        token = payload["token"]
        sent = [
            c
            for c in self.discord.calls
            if token in c.path and c.route in ("edit original", "follow-up")
        ]
        return response.json(), sent

    def say(self, message: dict[str, Any]) -> list[ApiCall]:
        """Dispatch a MESSAGE_CREATE; what the bot then sent in that channel."""
        before = len(self.discord.calls)
        answered = self.bot.answered
        self.discord.gateway.dispatch("MESSAGE_CREATE", message)
        assert self.bot.wait_answered(answered + 1), "the bot did not answer"
        channel = message["channel_id"]
        return [
            c
            for c in self.discord.calls[before:]
            if f"/channels/{channel}/" in c.path and c.status in (200, 204)
        ]


def texts_of(calls: list[ApiCall]) -> list[str]:
    """The texts of the messages sent (typing calls have none)."""
    return [c.text for c in calls if c.text is not None]


def body_text(payload: dict[str, Any]) -> str:
    """A payload as text, to look for a string anywhere in it."""
    return json.dumps(payload)


@pytest.fixture(scope="module")
def discord_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DiscordWorld]:
    """The app with the endpoint, two personas, the stand-in and the bot."""
    tiny = tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))
    standin = DiscordStandIn()
    with standin.serve() as api_url:
        config = Config(
            home=tmp_path_factory.mktemp("discord-home"),
            secret_key="discord-secret-of-at-least-32-chars",
            **discord_settings(standin, api_url),
        )
        app = create_app(config)
        services = app.extensions["mimical"].services
        add_ready_persona(services, tiny, "Romeo")
        add_ready_persona(services, tiny, "Juliet", public=False, password=PASSWORD)
        engine = app.extensions["mimical"].engine
        try:
            with serving_in_thread(app) as server, running_bot(config, engine) as bot:
                url = f"http://127.0.0.1:{server.server_port}"
                yield DiscordWorld(app, services, url, standin, bot)
        finally:
            app.extensions[EXTENSION].close()
            shutdown_app(app)


def fresh_ids(world: DiscordWorld) -> tuple[str, str]:
    """A channel and a user no other test uses."""
    time.sleep(0.001)  # snowflakes are unique anyway; keep them ordered
    return world.discord.snowflake(), world.discord.snowflake()
