"""One conversation, driven through the engine or through a channel, as users do.

A flow is a list of steps: open the conversation, say a text, or choose a persona
(tap it in a list). Each driver plays the steps its own way, on the engine or
over a channel's real transport, and gives back the texts the user saw after
each step, so one table of flows checks the engine and every channel alike.
Drivers record what else their channel showed (typing, frames, Send API calls)
for channel-specific checks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from click.testing import CliRunner
from simple_websocket import Client

from serving.chat import ChatEngine, ChatUser, EventKind, Incoming
from serving.cli import main
from tests.serving.channels import payloads
from tests.serving.channels.conftest import APP_SECRET, wait_answered
from tests.serving.discord.conftest import DiscordWorld, texts_of
from tests.serving.flows.conftest import ChatWorld, unique_ip, unique_name
from tests.standins.discord_api import ApiCall
from tests.standins.discord_payloads import interaction, user_message
from tests.standins.graph_api import SendCall

MODEL = "<any text the persona's model wrote>"
QUIET_S = 0.3  # how long a finished step must stay silent on the WebSocket


@dataclass(frozen=True)
class Step:
    """What the user does, and the texts they should see after it."""

    kind: str  # "open", "say" or "choose"
    text: str = ""
    expected: tuple[str, ...] = ()


def matches(seen: Sequence[str], expected: Sequence[str]) -> bool:
    """Whether the texts are the expected ones (MODEL: any non-empty text)."""
    return len(seen) == len(expected) and all(
        (want == MODEL and bool(got.strip())) or got == want
        for got, want in zip(seen, expected, strict=True)
    )


class Driver(Protocol):
    """Plays a flow; the texts seen after each step."""

    def run(self, steps: Sequence[Step]) -> list[list[str]]: ...


_KINDS = {"open": EventKind.OPEN, "say": EventKind.TEXT, "choose": EventKind.CHOOSE}


@dataclass
class EngineDriver:
    """Straight to the engine, as a channel's input side calls it."""

    engine: ChatEngine
    pinned: str | None = None

    def run(self, steps: Sequence[Step]) -> list[list[str]]:
        who = ChatUser("flows", unique_name("engine"), pinned=self.pinned)
        seen = []
        for step in steps:
            outcome = self.engine.handle(Incoming(who, _KINDS[step.kind], step.text))
            seen.append([reply.text for reply in outcome.replies])
        return seen


@dataclass
class WebDriver:
    """A visitor on the chat WebSocket, from an address of their own."""

    world: ChatWorld
    pinned: str | None = None
    address: str = field(default_factory=unique_ip)  # as the trusted proxy says
    frames: list[list[dict[str, Any]]] = field(default_factory=list)

    def run(self, steps: Sequence[Step]) -> list[list[str]]:
        url = self.world.ws_url + (f"?persona={self.pinned}" if self.pinned else "")
        ws = Client.connect(url, headers={"X-Forwarded-For": self.address})
        try:
            seen = []
            for step in steps:
                ws.send(json.dumps(_frame(step)))
                if step.kind == "open":
                    self._read(ws, until="history")
                frames = self._read(ws, replies=len(step.expected))
                self.frames.append(frames)
                seen.append([f["text"] for f in frames if f["type"] == "reply"])
            extra = ws.receive(timeout=QUIET_S)
            assert extra is None or json.loads(extra)["type"] != "reply", extra
            return seen
        finally:
            ws.close()

    def _read(
        self, ws: Client, replies: int = 0, until: str = ""
    ) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        while True:
            if not until and sum(f["type"] == "reply" for f in frames) >= replies:
                return frames
            data = ws.receive(timeout=10)
            assert data is not None, f"no frame in time after {frames}"
            frames.append(json.loads(data))
            if until and frames[-1]["type"] == until:
                return frames


def _frame(step: Step) -> dict[str, Any]:
    if step.kind == "open":
        return {"type": "hello"}
    if step.kind == "choose":
        return {"type": "choose", "persona": step.text}
    return {"type": "message", "text": step.text}


@dataclass
class MessengerDriver:
    """A person on Messenger: signed webhooks in, the Send API stand-in out."""

    world: ChatWorld
    psid: str = field(default_factory=lambda: unique_name("psid"))
    calls: list[list[SendCall]] = field(default_factory=list)

    def run(self, steps: Sequence[Step]) -> list[list[str]]:
        client = self.world.app.test_client()
        seen = []
        for step in steps:
            before = len(self.world.graph.calls)
            body = payloads.encode(payloads.webhook([self._event(step)]))
            response = client.post(
                "/webhooks/messenger",
                data=body,
                headers={"X-Hub-Signature-256": payloads.sign(body, APP_SECRET)},
                content_type="application/json",
            )
            assert response.status_code == 200
            wait_answered(self.world.app)
            calls = [
                c for c in self.world.graph.calls[before:] if c.recipient == self.psid
            ]
            self.calls.append(calls)
            seen.append([c.text for c in calls if c.text is not None])
        return seen

    def _event(self, step: Step) -> dict[str, Any]:
        if step.kind == "open":
            return payloads.postback(self.psid, "GET_STARTED")
        if step.kind == "choose":
            return payloads.quick_reply(self.psid, step.text, step.text)
        return payloads.text(self.psid, step.text)


@dataclass
class DiscordDriver:
    """A person in a DM with the bot: `/talk` opens, a button chooses, DMs say.

    Interactions come to the endpoint and messages over the gateway, and both
    are one conversation: the same person in the same channel.
    """

    world: ChatWorld
    calls: list[list[ApiCall]] = field(default_factory=list)

    def run(self, steps: Sequence[Step]) -> list[list[str]]:
        world = self.world
        discord = DiscordWorld(
            world.app, world.services, world.url, world.discord, world.bot
        )
        dm, person = world.discord.snowflake(), world.discord.snowflake()
        seen = []
        for step in steps:
            if step.kind == "say":
                sent = discord.say(user_message(dm, person, step.text))
            else:
                data: dict[str, Any] = {"name": "talk", "type": 1}
                kind = 2  # a slash command
                if step.kind == "choose":
                    data, kind = {"custom_id": f"mimical:choose:{step.text}"}, 3
                _, sent = discord.interact(interaction(kind, data, dm, person))
            self.calls.append(sent)
            seen.append(texts_of(sent))
        return seen


@dataclass
class TerminalDriver:
    """`mimical chat --json` in a pipe: the opening on stderr, a line per input."""

    world: ChatWorld
    lines: list[str] = field(default_factory=list)

    def run(self, steps: Sequence[Step]) -> list[list[str]]:
        assert steps[0].kind == "open", "the terminal always opens the conversation"
        # Choosing on a terminal is typing the name.
        said = [step.text for step in steps[1:]]
        config = self.world.config
        result = CliRunner().invoke(
            main,
            ["chat", "--json"],
            input="".join(f"{text}\n" for text in said),
            env={
                "MIMICAL_HOME": str(config.home),
                "MIMICAL_DATABASE_URL": config.database_url,
                "MIMICAL_STORAGE_URL": config.storage_url,
                "MIMICAL_SECRET_KEY": config.secret_key,
            },
        )
        assert result.exit_code == 0, result.output
        self.lines = result.stdout.splitlines()
        records = [json.loads(line) for line in self.lines]
        assert [r["input"] for r in records] == said
        return [result.stderr.splitlines(), *(r["replies"] for r in records)]
