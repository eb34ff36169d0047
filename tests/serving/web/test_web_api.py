"""The owner's API: embedding origins, storing conversations, exporting them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from corpus import read_messages
from serving.models import StoredMessage
from tests.serving.web.conftest import PASSWORD, ChatSocket, World

Connect = Callable[..., ChatSocket]
SETTINGS = "/api/personas/Mercutio/web"
EXPORT = "/api/personas/Mercutio/conversations"


@pytest.fixture
def client(world: World) -> FlaskClient:
    return world.app.test_client()


@pytest.fixture
def owner(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens['Mercutio']}"}


@pytest.fixture(autouse=True)
def mercutio_defaults(world: World) -> Iterator[None]:
    """Each test starts and ends with Mercutio's settings off and nothing stored."""
    yield
    world.set_persona("Mercutio", embed_origins=[], store_conversations=False)
    with world.services.db.session() as session:
        session.execute(delete(StoredMessage))


def chat_with(connect: Connect, persona: str, *lines: str) -> list[str]:
    """A new visitor picks `persona` and says each line; the replies."""
    chat = connect()
    chat.greeted()
    chat.send({"type": "choose", "persona": persona})
    chat.until("reply")
    return [chat.say(line)[-1]["text"] for line in lines]


@pytest.mark.parametrize(
    ("headers", "path", "status"),
    [
        ({}, SETTINGS, 401),
        ({"Authorization": "Bearer not-the-token"}, SETTINGS, 401),
        ({"Authorization": "Basic bWU6cHc="}, EXPORT, 401),
        ({"Authorization": "Bearer x"}, "/api/personas/Nobody/web", 404),
    ],
)
def test_only_the_manage_token_opens_the_owners_api(
    client: FlaskClient, headers: dict[str, str], path: str, status: int
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert response.json["code"] == {401: "unauthorized", 404: "not_found"}[status]
    assert response.json["error"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_owner_allows_sites_to_embed_the_chat(
    client: FlaskClient, owner: dict[str, str]
) -> None:
    origins = ["https://Me.Example:443/", "http://localhost:8000", "https://me.example"]
    response = client.patch(SETTINGS, json={"embed_origins": origins}, headers=owner)
    assert response.status_code == 200
    assert response.json == {
        "persona": "Mercutio",
        "embed_origins": ["http://localhost:8000", "https://me.example"],
        "store_conversations": False,
    }
    assert client.get(SETTINGS, headers=owner).json == response.json


@pytest.mark.parametrize(
    "body",
    [
        {"embed_origins": "https://me.example"},
        {"embed_origins": ["ftp://me.example"]},
        {"embed_origins": ["https://me.example/blog"]},
        {"embed_origins": ["https://user:pw@me.example"]},
        {"embed_origins": ["me.example"]},
        {"embed_origins": [f"https://s{n}.example" for n in range(21)]},
        {"store_conversations": "yes"},
        {"colour": "blue"},
        ["not", "an", "object"],
    ],
)
def test_bad_settings_are_refused_with_the_reason(
    client: FlaskClient, owner: dict[str, str], body: Any
) -> None:
    response = client.patch(SETTINGS, json=body, headers=owner)
    assert response.status_code == 400
    assert response.json["code"] == "bad_request" and response.json["error"]


def test_conversations_are_kept_only_once_the_owner_turns_it_on(
    client: FlaskClient, owner: dict[str, str], connect: Connect, tmp_path: Path
) -> None:
    chat_with(connect, "Mercutio", "not kept")
    assert client.get(EXPORT, headers=owner).json["conversations"] == []

    client.patch(SETTINGS, json={"store_conversations": True}, headers=owner)
    chat = connect()
    chat.greeted()
    chat.send({"type": "choose", "persona": "Mercutio"})
    assert chat.until("persona")[-1]["stored"] is True  # the visitor is told
    answer = chat.say("hey how are you")[-1]["text"]
    chat.say("%help")  # commands are not part of the conversation

    conversations = client.get(EXPORT, headers=owner).json["conversations"]
    assert len(conversations) == 1
    assert [(m["from"], m["text"]) for m in conversations[0]["messages"]] == [
        ("visitor", "hey how are you"),
        ("persona", answer),
    ]

    export = client.get(f"{EXPORT}?format=messages", headers=owner)
    assert export.mimetype == "application/x-ndjson"
    (tmp_path / "web.jsonl").write_bytes(export.data)
    messages = list(read_messages(tmp_path / "web.jsonl"))
    assert [(m.sender, m.text) for m in messages] == [
        ("visitor", "hey how are you"),
        ("Mercutio", answer),
    ]

    assert client.delete(EXPORT, headers=owner).json == {"deleted": 2}
    assert client.get(EXPORT, headers=owner).json["conversations"] == []


def test_passwords_are_never_kept(world: World, connect: Connect) -> None:
    world.set_persona("Tybalt", store_conversations=True)
    try:
        chat = connect()
        chat.greeted()
        chat.send({"type": "choose", "persona": "Tybalt"})
        chat.until("reply")
        chat.say(PASSWORD)
        chat.say("hello there")
        headers = {"Authorization": f"Bearer {world.tokens['Tybalt']}"}
        client = world.app.test_client()
        stored = client.get("/api/personas/Tybalt/conversations", headers=headers)
        texts = [m["text"] for c in stored.json["conversations"] for m in c["messages"]]
        assert "hello there" in texts and PASSWORD not in texts
    finally:
        world.set_persona("Tybalt", store_conversations=False)
