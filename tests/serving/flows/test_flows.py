"""Every chat flow, once on the engine and once through each channel.

The same table of steps and expected texts runs on the engine directly, over the
web chat's WebSocket, through the Messenger webhook and Send API, through
Discord's interactions endpoint and gateway bot, and through `mimical chat` in a
pipe; a channel that said anything else would hold a rule of
its own. Pinning is a property of the web widget, so its flows run on the engine
and the web only.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner

from serving.chat import MAX_PASSWORD_ATTEMPTS, texts
from serving.cli import main
from tests.serving.channels.tiny_persona import BURST
from tests.serving.flows.conftest import PASSWORD, ChatWorld
from tests.serving.flows.drivers import (
    MODEL,
    DiscordDriver,
    Driver,
    EngineDriver,
    MessengerDriver,
    Step,
    TerminalDriver,
    WebDriver,
    matches,
)

LISTING = texts.PUBLIC_LIST.format(names="Mercutio, Romeo")
# Every conversation opens with the bot disclosure, on every channel, once.
OPEN = Step("open", expected=(texts.DISCLOSURE, texts.GREETING, LISTING))
LOCKED = texts.LOCKED.format(minutes=15)


def _chatting(name: str) -> str:
    return texts.CHATTING.format(name=name)


def _only(name: str) -> str:
    return texts.ONLY_FOR.format(name=name)


FLOWS: dict[str, list[Step]] = {
    "greeting": [OPEN],
    "show all": [OPEN, Step("say", "%show all", (LISTING,))],
    "help and unknown commands": [
        OPEN,
        Step("say", "%help", (texts.HELP,)),
        Step("say", "%dance", (texts.UNKNOWN_COMMAND.format(command="%dance"),)),
    ],
    "password": [
        OPEN,
        Step("choose", "Juliet", (texts.PASSWORD_PROMPT,)),
        Step("say", "not it", (texts.WRONG_PASSWORD,)),
        Step("say", PASSWORD, (_chatting("Juliet"),)),
        Step("say", "hey how are you", (MODEL,)),
    ],
    "lock-out": [
        OPEN,
        Step("choose", "Tybalt", (texts.PASSWORD_PROMPT,)),
        *[
            Step("say", f"guess {n}", (texts.WRONG_PASSWORD,))
            for n in range(1, MAX_PASSWORD_ATTEMPTS)
        ],
        Step("say", "last guess", (texts.LOCKED_NOW.format(minutes=15),)),
        Step("say", PASSWORD, (LOCKED,)),
        Step("say", "%restart", (texts.CHOOSE,)),
        Step("choose", "Tybalt", (texts.PASSWORD_PROMPT,)),
        Step("say", PASSWORD, (LOCKED,)),
    ],
    "restart": [
        OPEN,
        Step("choose", "Romeo", (_chatting("Romeo"),)),
        Step("say", "did you eat yet?", (MODEL,)),
        Step("say", "%restart", (texts.CHOOSE,)),
        Step("say", "Nobody", (texts.UNKNOWN.format(name="Nobody"),)),
        Step("say", "romeo", (_chatting("Romeo"),)),
    ],
    "a turn of several messages": [
        OPEN,
        Step("choose", "Mercutio", (_chatting("Mercutio"),)),
        Step("say", "hey how are you", BURST),
        Step("say", "see you later then", BURST),
    ],
}
PINNED_FLOWS: dict[str, tuple[str, list[Step]]] = {
    "pinned web persona": (
        "Romeo",
        [
            Step("open", expected=(texts.DISCLOSURE, _chatting("Romeo"))),
            Step("say", "%show all", (_only("Romeo"),)),
            Step("choose", "Mercutio", (_only("Romeo"),)),
            Step("say", "hey how are you", (MODEL,)),
            Step("say", "%restart", (_chatting("Romeo"),)),
        ],
    ),
    "pinned private persona": (
        "Juliet",
        [
            Step("open", expected=(texts.DISCLOSURE, texts.PASSWORD_PROMPT)),
            Step("say", "%show all", (_only("Juliet"),)),
            Step("say", PASSWORD, (_chatting("Juliet"),)),
            Step("choose", "juliet", (texts.PASSWORD_PROMPT,)),
        ],
    ),
}

CHANNELS: dict[str, Callable[[ChatWorld], Driver]] = {
    "engine": lambda world: EngineDriver(world.app.extensions["mimical"].engine),
    "web": WebDriver,
    "messenger": MessengerDriver,
    "discord": DiscordDriver,
    "terminal": TerminalDriver,
}
PINNABLE: dict[str, Callable[[ChatWorld, str], Driver]] = {
    "engine": lambda world, name: EngineDriver(
        world.app.extensions["mimical"].engine, pinned=name
    ),
    "web": lambda world, name: WebDriver(world, pinned=name),
}


def _check(driver: Driver, steps: list[Step]) -> None:
    seen = driver.run(steps)
    for step, texts_seen in zip(steps, seen, strict=True):
        assert matches(texts_seen, step.expected), (step, texts_seen)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("flow", FLOWS)
def test_flow(chat_world: ChatWorld, flow: str, channel: str) -> None:
    _check(CHANNELS[channel](chat_world), FLOWS[flow])


@pytest.mark.parametrize("channel", PINNABLE)
@pytest.mark.parametrize("flow", PINNED_FLOWS)
def test_pinned_flow(chat_world: ChatWorld, flow: str, channel: str) -> None:
    persona, steps = PINNED_FLOWS[flow]
    _check(PINNABLE[channel](chat_world, persona), steps)


def test_the_lock_out_holds_across_sessions_and_channels_of_one_address(
    chat_world: ChatWorld,
) -> None:
    """Five wrong passwords from one address lock it out on a new session too."""
    guesses = [
        Step("say", f"guess {n}", (texts.WRONG_PASSWORD,))
        for n in range(1, MAX_PASSWORD_ATTEMPTS)
    ]
    address = "198.51.100.77"
    first = WebDriver(chat_world, address=address)
    _check(first, [OPEN, Step("choose", "Tybalt", (texts.PASSWORD_PROMPT,)), *guesses])
    again = WebDriver(chat_world, address=address)  # a new session
    _check(
        again,
        [
            OPEN,
            Step("choose", "Tybalt", (texts.PASSWORD_PROMPT,)),
            Step("say", "a fresh start?", (texts.LOCKED_NOW.format(minutes=15),)),
        ],
    )
    client = chat_world.app.test_client()
    refused = client.post(
        "/getModel",
        json={"chatbotName": "Tybalt", "password": PASSWORD},
        headers={"X-Forwarded-For": address},
    )
    owner = client.post(
        "/getModel",
        json={"chatbotName": "Tybalt", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.78"},
    )
    assert refused.status_code == 429
    assert owner.status_code == 200


def test_messenger_shows_typing_before_each_further_message(
    chat_world: ChatWorld,
) -> None:
    driver = MessengerDriver(chat_world)
    driver.run(FLOWS["a turn of several messages"][:3])
    turn = [(c.action, c.text) for c in driver.calls[-1]]
    assert turn == [
        ("typing_on", None),
        (None, BURST[0]),
        ("typing_on", None),
        (None, BURST[1]),
    ]


def test_the_web_shows_typing_between_the_messages_of_a_turn(
    chat_world: ChatWorld,
) -> None:
    driver = WebDriver(chat_world)
    driver.run(FLOWS["a turn of several messages"][:3])
    shown = [
        (f["type"], f.get("on", f.get("text")))
        for f in driver.frames[-1]
        if f["type"] in ("typing", "reply")
    ]
    assert shown == [
        ("typing", True),
        ("typing", False),
        ("reply", BURST[0]),
        ("typing", True),
        ("typing", False),
        ("reply", BURST[1]),
    ]


def test_the_terminal_prints_one_line_per_message(chat_world: ChatWorld) -> None:
    config = chat_world.config
    result = CliRunner().invoke(
        main,
        ["chat", "Mercutio"],
        input="hey how are you\n",
        env={
            "MIMICAL_HOME": str(config.home),
            "MIMICAL_DATABASE_URL": config.database_url,
            "MIMICAL_STORAGE_URL": config.storage_url,
        },
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == list(BURST)
    assert result.stderr.splitlines() == [texts.DISCLOSURE, _chatting("Mercutio")]


def test_discord_shows_typing_before_each_further_message(
    chat_world: ChatWorld,
) -> None:
    driver = DiscordDriver(chat_world)
    driver.run(FLOWS["a turn of several messages"][:3])
    turn = [(c.route, c.text) for c in driver.calls[-1]]
    assert turn == [
        ("typing", None),
        ("create message", BURST[0]),
        ("typing", None),
        ("create message", BURST[1]),
    ]
