"""The interactions endpoint against the stand-in: signatures, commands, the form."""

from __future__ import annotations

import logging
import time

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from serving.channels.discord import ChannelOutput, DiscordRest
from serving.channels.pieces import split_text
from serving.chat import texts
from serving.cli import main
from serving.models import ChatSession
from tests.serving.discord.conftest import (
    PASSWORD,
    DiscordWorld,
    body_text,
    fresh_ids,
    texts_of,
)
from tests.standins.discord_api import APPLICATION_ID, BOT_TOKEN
from tests.standins.discord_payloads import encode, interaction

PING, COMMAND, COMPONENT, MODAL_SUBMIT = 1, 2, 3, 5
LISTING = texts.PUBLIC_LIST.format(names="Romeo")


def command(name: str, **options: str) -> dict:
    """A slash command's data."""
    return {
        "name": name,
        "type": 1,
        "options": [{"name": k, "type": 3, "value": v} for k, v in options.items()],
    }


def sessions(world: DiscordWorld) -> int:
    with world.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(ChatSession)) or 0


def test_a_signed_ping_gets_its_pong(discord_world: DiscordWorld) -> None:
    dm, person = fresh_ids(discord_world)
    response = discord_world.post(interaction(PING, {}, dm, person))
    assert response.status_code == 200
    assert response.json() == {"type": 1}


@pytest.mark.parametrize(
    "forgery", ["another key", "changed body", "no signature", "old timestamp"]
)
def test_a_forged_interaction_gets_401_and_nothing_happens(
    discord_world: DiscordWorld, forgery: str
) -> None:
    dm, person = fresh_ids(discord_world)
    payload = interaction(COMMAND, command("talk", message="hello"), dm, person)
    body = encode(payload)
    headers = discord_world.discord.sign(body)
    if forgery == "another key":
        stamp = headers["X-Signature-Timestamp"]
        signature = Ed25519PrivateKey.generate().sign(stamp.encode() + body).hex()
        headers["X-Signature-Ed25519"] = signature
    elif forgery == "changed body":
        payload["data"] = command("talk", message="something else")
    elif forgery == "no signature":
        headers = {}
    else:
        old = str(int(time.time()) - 3600)
        headers = discord_world.discord.sign(body, timestamp=old)
    calls, rows = len(discord_world.discord.calls), sessions(discord_world)
    response = discord_world.post(payload, headers=headers)
    assert response.status_code == 401
    assert discord_world.handler.wait_idle()
    assert len(discord_world.discord.calls) == calls
    assert sessions(discord_world) == rows


def test_slash_commands_answer_in_time_with_deferred_replies(
    discord_world: DiscordWorld,
) -> None:
    dm, person = fresh_ids(discord_world)
    answer, sent = discord_world.interact(
        interaction(COMMAND, command("talk"), dm, person)
    )
    assert answer == {"type": 5, "data": {"flags": 64}}
    assert [c.route for c in sent] == ["edit original", "follow-up", "follow-up"]
    assert texts_of(sent) == [texts.DISCLOSURE, texts.GREETING, LISTING]
    assert all(c.body["flags"] == 64 for c in sent[1:])
    buttons = sent[-1].body["components"][0]["components"]
    assert [b["custom_id"] for b in buttons] == ["mimical:choose:Romeo"]

    _, sent = discord_world.interact(
        interaction(COMMAND, command("personas"), dm, person)
    )
    assert texts_of(sent) == [LISTING]
    click = {"custom_id": "mimical:choose:Romeo", "component_type": 2}
    _, sent = discord_world.interact(interaction(COMPONENT, click, dm, person))
    assert texts_of(sent) == [texts.CHATTING.format(name="Romeo")]
    _, sent = discord_world.interact(
        interaction(COMMAND, command("talk", message="hello there"), dm, person)
    )
    assert len(texts_of(sent)) >= 1 and all(texts_of(sent))
    _, sent = discord_world.interact(
        interaction(COMMAND, command("restart"), dm, person)
    )
    assert texts_of(sent) == [texts.CHOOSE]


def test_a_slow_model_never_misses_discords_three_seconds(
    discord_world: DiscordWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel, person = fresh_ids(discord_world)
    guild = discord_world.discord.snowflake()
    talk = command("talk", persona="Romeo")
    discord_world.interact(interaction(COMMAND, talk, channel, person, guild))
    engine = discord_world.handler.engine
    write = engine._write

    def slow_write(generations: list) -> list[str]:
        time.sleep(3.5)
        return write(generations)

    monkeypatch.setattr(engine, "_write", slow_write)
    payload = interaction(
        COMMAND, command("talk", message="hi"), channel, person, guild
    )
    started = time.monotonic()
    response = discord_world.post(payload)
    assert response.status_code == 200 and time.monotonic() - started < 1.0
    assert response.json()["type"] == 5
    assert discord_world.handler.wait_idle()
    reply = discord_world.discord.called("edit original")[-1]
    assert payload["token"] in reply.path and reply.text
    assert reply.at - started >= 3.5


def test_a_password_goes_through_a_private_form_and_is_never_echoed_or_logged(
    discord_world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel, person = fresh_ids(discord_world)
    guild = discord_world.discord.snowflake()
    talk = command("talk", persona="Juliet")
    _, sent = discord_world.interact(interaction(COMMAND, talk, channel, person, guild))
    assert texts_of(sent) == [texts.DISCLOSURE, texts.PASSWORD_PROMPT]
    button = sent[-1].body["components"][0]["components"][0]
    click = {"custom_id": button["custom_id"], "component_type": 2}
    form, sent = discord_world.interact(
        interaction(COMPONENT, click, channel, person, guild)
    )
    assert form["type"] == 9 and sent == []  # the form opens at once, no engine

    def submit(password: str) -> list[str]:
        field = {"type": 4, "custom_id": "password", "value": password}
        data = {
            "custom_id": form["data"]["custom_id"],
            "components": [{"type": 1, "components": [field]}],
        }
        _, sent = discord_world.interact(
            interaction(MODAL_SUBMIT, data, channel, person, guild)
        )
        return texts_of(sent)

    assert submit("not it") == [texts.WRONG_PASSWORD]
    assert submit(PASSWORD) == [texts.CHATTING.format(name="Juliet")]
    # A form sent again once chatting is never chatted, stored or echoed.
    assert submit(PASSWORD) == [texts.NO_PASSWORD_ASKED]
    assert not any(
        PASSWORD in body_text(c.body or {}) for c in discord_world.discord.calls
    )
    assert PASSWORD not in caplog.text
    with discord_world.services.db.session() as session:
        histories = [str(s.history) for s in session.scalars(select(ChatSession))]
    assert not any(PASSWORD in h for h in histories)


def test_long_texts_are_cut_under_discords_limit(discord_world: DiscordWorld) -> None:
    dm, _ = fresh_ids(discord_world)
    rest = DiscordRest(_api_url(discord_world), BOT_TOKEN)
    text = "This sentence is here to be long enough. " * 120
    ChannelOutput(rest, dm).send_text("someone", text)
    sent = [c for c in discord_world.discord.called("create message") if dm in c.path]
    assert [c.text for c in sent] == split_text(text)
    assert len(sent) == 3 and all(len(c.text or "") <= 2000 for c in sent)


def _api_url(world: DiscordWorld) -> str:
    return world.services.config.discord_api_url


def test_mimical_discord_register_registers_the_three_commands(
    discord_world: DiscordWorld,
) -> None:
    config = discord_world.services.config
    result = CliRunner().invoke(
        main,
        ["discord", "register"],
        env={
            "DISCORD_APPLICATION_ID": APPLICATION_ID,
            "DISCORD_BOT_TOKEN": BOT_TOKEN,
            "DISCORD_API_URL": config.discord_api_url,
        },
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Registered /talk, /personas, /restart for every server and DM.\n"
    )
    put = discord_world.discord.called("commands")[-1]
    assert put.method == "PUT" and put.path.endswith(f"{APPLICATION_ID}/commands")
    assert [c["name"] for c in put.body] == ["talk", "personas", "restart"]


def test_mimical_discord_run_says_what_is_missing() -> None:
    result = CliRunner().invoke(main, ["discord", "run"], env={"DISCORD_BOT_TOKEN": ""})
    assert result.exit_code == 2
    assert "set DISCORD_BOT_TOKEN" in result.output
