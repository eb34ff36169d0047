"""The Messenger webhook end to end: signed POSTs in, Send API calls to the stand-in."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from serving.chat import texts
from serving.models import ChatSession, SeenEvent
from serving.services import Services
from tests.serving.channels import payloads
from tests.serving.channels.conftest import (
    APP_SECRET,
    VERIFY_TOKEN,
    SignedPost,
    wait_answered,
)
from tests.standins.graph_api import PAGE_TOKEN, GraphStandIn


def seen_count(services: Services) -> int:
    with services.db.session() as session:
        return session.scalar(select(func.count()).select_from(SeenEvent)) or 0


def test_verify_answers_the_challenge(client: FlaskClient) -> None:
    response = client.get(
        "/webhooks/messenger",
        query_string={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN},
        {"hub.challenge": "1"},
        {},
    ],
)
def test_verify_refuses_anything_else(client: FlaskClient, query: dict) -> None:
    response = client.get("/webhooks/messenger", query_string=query)
    assert response.status_code == 403
    assert "1" not in response.get_data(as_text=True).replace("403", "")


def test_new_user_is_greeted_through_the_send_api(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    started = time.monotonic()
    response = signed_post(payloads.webhook([payloads.text("u1", "hello")]))
    assert response.status_code == 200
    assert time.monotonic() - started < 1.0  # answered before any reply is sent
    wait_answered(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.GREETING, texts.NO_PUBLIC]
    call = graph.messages("u1")[0]
    assert call.body["messaging_type"] == "RESPONSE"
    assert call.body["recipient"] == {"id": "u1"}


@pytest.mark.parametrize(
    "signature",
    [
        None,  # no header at all
        "sha256=" + "0" * 64,  # forged
        "sha1=0f2d3d2d3d2d3d2d3d2d3d2d3d2d3d2d3d2d3d2d",  # only the old SHA-1 kind
        "sha256=",
        "garbage",
    ],
)
def test_webhook_refuses_bad_signature(
    client: FlaskClient, app_services: Services, graph: GraphStandIn, signature: str
) -> None:
    body = payloads.encode(payloads.webhook([payloads.text("u1", "hello")]))
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}
    response = client.post(
        "/webhooks/messenger",
        data=body,
        headers=headers,
        content_type="application/json",
    )
    assert response.status_code == 403
    expected = payloads.sign(body, APP_SECRET).removeprefix("sha256=")
    assert expected not in response.get_data(as_text=True)
    time.sleep(0.2)
    assert graph.calls == []
    assert seen_count(app_services) == 0


def test_webhook_refuses_body_signed_with_another_secret(
    signed_post: SignedPost, graph: GraphStandIn, app_services: Services
) -> None:
    payload = payloads.webhook([payloads.text("u1", "hello")])
    assert signed_post(payload, secret="not-the-app-secret").status_code == 403
    assert graph.calls == [] and seen_count(app_services) == 0


def test_webhook_refuses_an_oversized_body(signed_post: SignedPost) -> None:
    items = [payloads.text("u1", "x" * 1000) for _ in range(1200)]
    assert signed_post(payloads.webhook(items)).status_code == 413


def test_every_entry_and_every_event_is_answered(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    body = payloads.webhook(
        [payloads.text("a1", "hi"), payloads.text("a2", "hi")],
        [payloads.text("b1", "hi"), payloads.text("b2", "hi")],
    )
    assert signed_post(body).status_code == 200
    wait_answered(app)
    for user in ("a1", "a2", "b1", "b2"):
        assert graph.texts(user) == [texts.DISCLOSURE, texts.GREETING, texts.NO_PUBLIC]


def test_echoes_deliveries_and_reads_are_ignored(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn, app_services: Services
) -> None:
    body = payloads.webhook(
        [payloads.echo("u1", "our own words"), payloads.delivery("u1")],
        [payloads.read("u1")],
    )
    assert signed_post(body).status_code == 200
    time.sleep(0.2)
    assert graph.calls == []
    assert seen_count(app_services) == 0
    with app_services.db.session() as session:
        assert session.scalars(select(ChatSession)).all() == []


def test_duplicate_mid_is_answered_once(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    mid = payloads.new_mid()
    first = payloads.webhook([payloads.text("u1", "hello", mid=mid)])
    # The same message again, in a batch of its own and twice inside one batch.
    again = payloads.webhook(
        [payloads.text("u1", "hello", mid=mid), payloads.text("u1", "hello", mid=mid)]
    )
    assert signed_post(first).status_code == 200
    assert signed_post(again).status_code == 200
    wait_answered(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.GREETING, texts.NO_PUBLIC]


def test_replayed_body_is_answered_once(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    body = payloads.encode(payloads.webhook([payloads.text("u1", "%help")]))
    for _ in range(3):
        assert signed_post(body).status_code == 200
    wait_answered(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.GREETING, texts.HELP]


def test_quick_replies_offer_personas_and_pick_one(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn, romeo: str
) -> None:
    signed_post(payloads.webhook([payloads.text("u1", "%show all")]))
    wait_answered(app)
    listing = graph.messages("u1")[-1]
    assert listing.quick_replies == ["Romeo"]
    assert listing.body["message"]["quick_replies"][0]["content_type"] == "text"
    signed_post(payloads.webhook([payloads.quick_reply("u1", "Romeo", "Romeo")]))
    wait_answered(app)
    assert graph.texts("u1")[-1] == texts.CHATTING.format(name="Romeo")


def test_postback_get_started_greets(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    signed_post(payloads.webhook([payloads.postback("u1", "GET_STARTED")]))
    wait_answered(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.GREETING, texts.NO_PUBLIC]


@pytest.mark.parametrize("attachment", [payloads.sticker, payloads.image])
def test_stickers_and_attachments_get_a_friendly_answer(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn, attachment
) -> None:
    signed_post(payloads.webhook([attachment("u1")]))
    wait_answered(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.ATTACHMENT]


def test_chatting_shows_typing_then_the_persona_reply(
    app: Flask,
    signed_post: SignedPost,
    graph: GraphStandIn,
    app_services: Services,
    romeo: str,
) -> None:
    signed_post(payloads.webhook([payloads.text("u1", "Romeo")]))
    wait_answered(app)
    signed_post(payloads.webhook([payloads.text("u1", "how are you")]))
    wait_answered(app)
    calls = [c for c in graph.calls if c.recipient == "u1"]
    assert calls[-2].action == "typing_on"
    reply = calls[-1].text
    assert reply and calls[-1].answered == 200
    assert calls[-1].body["messaging_type"] == "RESPONSE"
    with app_services.db.session() as session:
        chat = session.scalars(select(ChatSession)).one()
        assert chat.channel == "messenger" and chat.user_id == "u1"
        assert chat.history == [
            {"persona": False, "text": "how are you"},
            {"persona": True, "text": reply},
        ]


def test_one_users_messages_are_answered_in_order(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    body = payloads.webhook(
        [payloads.text("u1", "%help"), payloads.text("u1", "%restart")]
    )
    signed_post(body)
    wait_answered(app)
    assert graph.texts("u1") == [
        texts.DISCLOSURE,
        texts.GREETING,
        texts.HELP,
        texts.CHOOSE,
    ]


def test_send_api_gets_the_page_token_in_a_header(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    signed_post(payloads.webhook([payloads.text("u1", "hi")]))
    wait_answered(app)
    assert graph.calls and all(call.answered == 200 for call in graph.calls)
    assert all(PAGE_TOKEN not in call.path for call in graph.calls)
