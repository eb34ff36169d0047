"""One world for the chat flows: the whole app on 127.0.0.1, every channel live.

Served by werkzeug in a thread (the web chat needs real WebSockets), behind one
trusted proxy hop so each test visitor can come from an address of its own, with
the Messenger webhook pointed at the Graph API stand-in, and the Discord
endpoint and gateway bot at the Discord stand-in. Personas: Romeo (public),
Juliet and Tybalt (private, with a password), Mercutio (public; texts in bursts).
Each test talks as a user and from an address no other test uses, so lock-outs
and sessions never leak from one test into another.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from serving.app import create_app
from serving.channels.discord import EXTENSION as DISCORD
from serving.channels.discord.gateway import PersonaBot
from serving.channels.web import LIMITS_KEY, WebLimits
from serving.config import Config
from serving.services import Services
from tests.local_http import serving_in_thread
from tests.serving.channels.conftest import APP_SECRET, VERIFY_TOKEN, close_app
from tests.serving.channels.tiny_persona import (
    add_ready_persona,
    bursty_artifact,
    tiny_artifact,
)
from tests.serving.discord.bot import running_bot
from tests.serving.discord.conftest import discord_settings
from tests.standins.discord_api import DiscordStandIn
from tests.standins.graph_api import PAGE_TOKEN, GraphStandIn

PASSWORD = "wherefore-art-thou-42"
_unique = itertools.count(1)


@dataclass
class ChatWorld:
    """The served app and how to reach it."""

    app: Flask
    services: Services
    config: Config
    url: str
    graph: GraphStandIn
    discord: DiscordStandIn
    bot: PersonaBot

    @property
    def ws_url(self) -> str:
        """The chat WebSocket's URL."""
        return self.url.replace("http://", "ws://") + "/chat/ws"


@pytest.fixture(scope="module")
def chat_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatWorld]:
    """The app with every channel, four personas, and the platforms' stand-ins."""
    tiny = tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))
    bursty = bursty_artifact(tmp_path_factory.mktemp("bursty-persona"))
    graph = GraphStandIn()
    discord = DiscordStandIn()
    with graph.serve() as graph_url, discord.serve() as discord_url:
        config = Config(
            home=tmp_path_factory.mktemp("flows-home"),
            secret_key="flows-secret-of-at-least-32-characters",
            proxy_hops=1,
            fb_page_access_token=PAGE_TOKEN,
            fb_app_secret=APP_SECRET,
            fb_verify_token=VERIFY_TOKEN,
            fb_graph_url=graph_url,
            **discord_settings(discord, discord_url),
        )
        app = create_app(config)
        # The flows type faster than people; the web's rate limits have tests of
        # their own.
        app.config[LIMITS_KEY] = WebLimits(burst=100, ip_burst=100)
        services = app.extensions["mimical"].services
        add_ready_persona(services, tiny, "Romeo")
        key = add_ready_persona(
            services, tiny, "Juliet", public=False, password=PASSWORD
        )
        add_ready_persona(
            services, tiny, "Tybalt", public=False, password=PASSWORD, artifact_key=key
        )
        add_ready_persona(services, bursty, "Mercutio")
        engine = app.extensions["mimical"].engine
        try:
            with serving_in_thread(app) as server, running_bot(config, engine) as bot:
                url = f"http://127.0.0.1:{server.server_port}"
                yield ChatWorld(app, services, config, url, graph, discord, bot)
        finally:
            app.extensions[DISCORD].close()
            close_app(app)


def unique_name(prefix: str) -> str:
    """A user id never used before in this run."""
    return f"{prefix}-{next(_unique)}"


def unique_ip() -> str:
    """An address (in TEST-NET-3) never used before in this run."""
    n = next(_unique)
    return f"203.0.{113 + n // 250}.{1 + n % 250}"
