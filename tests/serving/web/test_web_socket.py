"""The chat WebSocket as a visitor's program sees it: greeting, resume, origins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from serving.chat import texts
from tests.serving.web.conftest import PASSWORD, ChatSocket, World, handshake_status

Connect = Callable[..., ChatSocket]


def replies(frames: list[dict]) -> list[str]:
    return [frame["text"] for frame in frames if frame["type"] == "reply"]


def test_new_visitor_is_greeted_and_offered_the_public_personas(
    connect: Connect,
) -> None:
    chat = connect()
    frames = chat.hello()
    assert [f["type"] for f in frames] == ["session", "history"]
    assert frames[1]["messages"] == [] and frames[1]["persona"] is None
    greeting = [chat.receive() for _ in range(3)]
    assert replies(greeting)[:2] == [texts.DISCLOSURE, texts.GREETING]
    # Tybalt is private: not offered.
    assert greeting[-1]["options"] == ["Juliet", "Mercutio", "Romeo"]


def test_chat_with_a_persona_shows_typing_then_the_model_reply(
    connect: Connect,
) -> None:
    chat = connect()
    chat.hello()
    chat.send({"type": "choose", "persona": "romeo"})
    assert chat.until("persona")[-1] == {
        "type": "persona",
        "persona": "Romeo",
        "stored": False,
    }
    frames = chat.say("hey how are you")
    assert [f["type"] for f in frames] == ["typing", "typing", "reply"]
    assert frames[0]["on"] is True and frames[1]["on"] is False
    assert frames[2]["text"].strip()


def test_resume_token_brings_back_the_conversation(connect: Connect) -> None:
    first = connect()
    first.hello()
    first.send({"type": "choose", "persona": "Romeo"})
    first.until("persona")
    answer = replies(first.say("what are you up to tonight"))[0]
    first.close()

    again = connect()
    history = again.hello(resume=first.token)[-1]
    assert history["persona"] == "Romeo"
    assert history["messages"] == [
        {"from": "you", "text": "what are you up to tonight"},
        {"from": "bot", "text": answer},
    ]


def test_forged_resume_token_starts_a_new_conversation(connect: Connect) -> None:
    first = connect()
    first.hello()
    chat = connect()
    history = chat.hello(resume=first.token[:-4] + "AAAA")[-1]
    assert history["messages"] == []


@pytest.mark.parametrize(
    ("origin", "persona", "status"),
    [
        (None, "", 101),  # not a browser
        ("{own}", "", 101),  # our own /chat page
        ("{own}", "Romeo", 101),  # the widget on our own site
        ("{host}", "Juliet", 101),  # on Juliet's allow-list
        ("{host}", "Romeo", 403),  # Romeo allows no other site
        ("{host}", "", 403),  # another site, no persona
        ("{host}", "Nobody", 403),
        ("http://evil.example", "Juliet", 403),
        ("null", "Juliet", 403),  # sandboxed frame or file:// page
    ],
)
def test_other_sites_need_the_persona_owners_permission(
    world: World, origin: str | None, persona: str, status: int
) -> None:
    if origin is not None:
        origin = origin.format(own=world.url, host=world.host_url)
    assert handshake_status(world.url, origin, persona) == status


def test_embedded_chat_stays_with_its_persona(world: World, connect: Connect) -> None:
    chat = connect(origin=world.host_url, persona="Juliet")
    chat.hello()
    assert chat.until("reply")[-1]["text"] == texts.DISCLOSURE
    assert chat.until("reply")[-1]["text"] == texts.CHATTING.format(name="Juliet")
    chat.send({"type": "choose", "persona": "Romeo"})
    assert chat.receive()["text"] == "This chat is only for Juliet."
    assert replies(chat.say("%show all")) == ["This chat is only for Juliet."]
    assert chat.say("hey")[-1]["type"] == "reply"


def test_widget_does_not_read_the_pages_cookie_session(
    world: World, connect: Connect
) -> None:
    page = connect()
    page.hello()
    page.send({"type": "choose", "persona": "Romeo"})
    page.until("persona")
    widget = connect(origin=world.host_url, persona="Juliet")
    assert widget.hello()[-1]["messages"] == []


def test_password_protected_persona_asks_for_the_password(connect: Connect) -> None:
    chat = connect()
    chat.greeted()
    chat.send({"type": "choose", "persona": "Tybalt"})
    assert chat.receive()["text"] == texts.PASSWORD_PROMPT
    assert replies(chat.say("wrong"))[0] == texts.WRONG_PASSWORD
    assert replies(chat.say(PASSWORD))[0] == texts.CHATTING.format(name="Tybalt")
