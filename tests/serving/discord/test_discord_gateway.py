"""The gateway bot against the stand-in: DMs, mentions, a dropped connection, a 429."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from serving.chat import texts
from serving.models import ChatSession
from tests.serving.discord.conftest import (
    PASSWORD,
    DiscordWorld,
    fresh_ids,
    texts_of,
)
from tests.standins.discord_api import BOT_ID, BOT_USER
from tests.standins.discord_gateway import HEARTBEAT, IDENTIFY, RESUME
from tests.standins.discord_payloads import user_message

LISTING = texts.PUBLIC_LIST.format(names="Romeo")
MESSAGE_CONTENT_INTENT = 1 << 15


def test_the_bot_identifies_without_privileged_intents_and_heartbeats(
    discord_world: DiscordWorld,
) -> None:
    gateway = discord_world.discord.gateway
    identify = gateway.ops(IDENTIFY)[0]
    assert identify.path == "/gateway"
    assert identify.data["intents"] & MESSAGE_CONTENT_INTENT == 0
    assert gateway.wait_for(lambda: len(gateway.ops(HEARTBEAT)) >= 2)


def test_a_dm_conversation_through_a_password_protected_persona(
    discord_world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dm, person = fresh_ids(discord_world)

    def say(text: str) -> list[str]:
        return texts_of(discord_world.say(user_message(dm, person, text)))

    assert say("hi") == [texts.DISCLOSURE, texts.GREETING, LISTING]
    assert say("%show all") == [LISTING]
    prompt = discord_world.say(user_message(dm, person, "Juliet"))
    assert texts_of(prompt) == [texts.PASSWORD_PROMPT]
    button = prompt[-1].body["components"][0]["components"][0]
    assert button["custom_id"] == "mimical:password"
    assert say("not it") == [texts.WRONG_PASSWORD]
    assert say(PASSWORD) == [texts.CHATTING.format(name="Juliet")]
    answer = discord_world.say(user_message(dm, person, "hey how are you"))
    assert [c.route for c in answer][0] == "typing"
    assert texts_of(answer) and all(texts_of(answer))
    assert say("%restart") == [texts.CHOOSE]

    # The password was never echoed, logged or kept.
    sent = [str(c.body) for c in discord_world.discord.calls]
    assert not any(PASSWORD in body for body in sent)
    assert PASSWORD not in caplog.text
    with discord_world.services.db.session() as session:
        rows = session.scalars(select(ChatSession)).all()
        assert not any(PASSWORD in str(row.history) for row in rows)


def test_in_a_server_the_bot_answers_only_when_mentioned_per_channel_and_user(
    discord_world: DiscordWorld,
) -> None:
    channel, alice = fresh_ids(discord_world)
    _, bob = fresh_ids(discord_world)
    guild = discord_world.discord.snowflake()
    me = {**BOT_USER, "bot": True}

    def message(who: str, text: str, mention: bool = True) -> dict:
        content = f"<@{BOT_ID}> {text}" if mention else text
        mentions = (me,) if mention else ()
        return user_message(channel, who, content, guild, mentions)

    before = len(discord_world.discord.calls)
    discord_world.discord.gateway.dispatch("MESSAGE_CREATE", message(alice, "x", False))
    first = message(alice, "Romeo")
    sent = discord_world.say(first)
    assert len(discord_world.discord.calls[before:]) == len(sent)  # none for "x"
    assert texts_of(sent) == [
        texts.DISCLOSURE,
        texts.GREETING,
        texts.CHATTING.format(name="Romeo"),
    ]
    # The first reply answers Alice's message; nobody is ever pinged.
    assert sent[0].body["message_reference"]["message_id"] == first["id"]
    assert all(c.body["allowed_mentions"] == {"parse": []} for c in sent)
    assert texts_of(discord_world.say(message(alice, "hello there")))
    # Bob, in the same channel, has a conversation of his own.
    assert texts_of(discord_world.say(message(bob, ""))) == [
        texts.DISCLOSURE,
        texts.GREETING,
        LISTING,
    ]


def test_a_dropped_connection_resumes_and_missed_messages_are_answered(
    discord_world: DiscordWorld,
) -> None:
    gateway = discord_world.discord.gateway
    dm, person = fresh_ids(discord_world)
    texts_of(discord_world.say(user_message(dm, person, "hi")))
    resumes = len(gateway.ops(RESUME))
    connections = gateway.connections
    gateway.drop()
    assert gateway.wait_for(lambda: gateway.connections > connections)
    # Written while the bot was away: replayed on RESUME, and answered.
    sent = discord_world.say(user_message(dm, person, "%show all"))
    assert texts_of(sent) == [LISTING]
    resume = gateway.ops(RESUME)[resumes]
    assert resume.path == "/resume"
    assert resume.data["session_id"] and resume.data["seq"] >= 1


def test_a_session_the_gateway_forgot_starts_again_with_identify(
    discord_world: DiscordWorld,
) -> None:
    gateway = discord_world.discord.gateway
    identifies = len(gateway.ops(IDENTIFY))
    gateway.forget_sessions()
    gateway.drop()
    assert gateway.wait_for(lambda: len(gateway.ops(IDENTIFY)) > identifies)
    dm, person = fresh_ids(discord_world)
    assert texts_of(discord_world.say(user_message(dm, person, "%help"))) == [
        texts.DISCLOSURE,
        texts.GREETING,
        texts.HELP,
    ]


def test_a_429_is_waited_out_for_its_retry_after(discord_world: DiscordWorld) -> None:
    dm, person = fresh_ids(discord_world)
    discord_world.discord.rate_limit("create message", retry_after=0.6)
    sent = discord_world.say(user_message(dm, person, "%help"))
    assert texts_of(sent) == [texts.DISCLOSURE, texts.GREETING, texts.HELP]
    limited = [
        c
        for c in discord_world.discord.called("create message", status=429)
        if f"/channels/{dm}/" in c.path
    ]
    assert len(limited) == 1
    assert sent[0].at - limited[0].at >= 0.6
