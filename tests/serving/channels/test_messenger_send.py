"""The Send API side: text splitting, quick replies, and errors handled by code."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from flask import Flask

from serving.channels.messenger.graph import (
    BadTokenError,
    GraphClient,
    GraphError,
    OutsideWindowError,
    TransientGraphError,
    UserUnavailableError,
)
from serving.channels.messenger.send import (
    MAX_QUICK_REPLIES,
    MessengerOutput,
    send_replies,
    split_text,
)
from serving.chat import Reply, texts
from serving.services import Services
from tests.serving.channels import payloads
from tests.serving.channels.conftest import SignedPost, wait_answered
from tests.serving.channels.tiny_persona import add_ready_persona
from tests.standins.graph_api import PAGE_TOKEN, GraphStandIn

SENTENCE = "This sentence is exactly fifty characters long ok. "  # 51 with space


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("short.", ["short."]),
        ("x" * 2000, ["x" * 2000]),
        ("x" * 2001, ["x" * 2000, "x"]),
        (SENTENCE * 50, [(SENTENCE * 39).strip(), (SENTENCE * 11).strip()]),
        ("word " * 500, [("word " * 400).strip(), ("word " * 100).strip()]),
    ],
)
def test_split_text_cuts_under_2000_at_sentence_ends(
    text: str, expected: list[str]
) -> None:
    pieces = split_text(text)
    assert pieces == expected
    assert all(len(piece) <= 2000 for piece in pieces)


def test_split_text_keeps_every_word() -> None:
    text = " ".join(f"Sentence number {n} ends here!" for n in range(300))
    pieces = split_text(text)
    assert len(pieces) > 1 and all(len(p) <= 2000 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert all(p.endswith("!") for p in pieces)


@pytest.fixture
def graph_client(graph: GraphStandIn) -> GraphClient:
    """A Send API client with a short backoff, against the stand-in."""
    return GraphClient(graph.url, PAGE_TOKEN, backoff_s=0.01)  # type: ignore[attr-defined]


def test_long_text_goes_out_as_several_messages(
    graph_client: GraphClient, graph: GraphStandIn
) -> None:
    MessengerOutput(graph_client).send_text("u1", SENTENCE * 50)
    sent = graph.texts("u1")
    assert [len(t) for t in sent] == [len((SENTENCE * 39).strip()), 560]


def test_more_than_13_options_are_sent_as_plain_text(
    graph_client: GraphClient, graph: GraphStandIn
) -> None:
    output = MessengerOutput(graph_client)
    names = tuple(f"Persona number {n:02}" for n in range(MAX_QUICK_REPLIES + 1))
    output.send_quick_replies("u1", "many", names)
    output.send_quick_replies("u1", "few", names[:MAX_QUICK_REPLIES])
    plain, buttons = graph.messages("u1")
    assert plain.quick_replies == []
    assert buttons.quick_replies == list(names[:MAX_QUICK_REPLIES])
    titles = [q["title"] for q in buttons.body["message"]["quick_replies"]]
    assert all(len(title) <= 20 for title in titles)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (190, BadTokenError),
        (10, OutsideWindowError),
        (551, UserUnavailableError),
    ],
)
def test_refusals_raise_their_named_error_without_retry(
    graph_client: GraphClient, graph: GraphStandIn, code: int, error: type[GraphError]
) -> None:
    graph.fail_next(code)
    with pytest.raises(error) as raised:
        graph_client.send_message("u1", {"text": "a secret sentence"})
    assert raised.value.code == code
    assert "a secret sentence" not in str(raised.value)
    assert len(graph.calls) == 1


def test_a_wrong_page_token_is_code_190(graph: GraphStandIn) -> None:
    client = GraphClient(graph.url, "not-the-token")  # type: ignore[attr-defined]
    with pytest.raises(BadTokenError):
        client.send_action("u1", "typing_on")


def test_transient_errors_are_retried_with_backoff(
    graph_client: GraphClient, graph: GraphStandIn
) -> None:
    graph.fail_next(2, times=2)
    graph_client.send_message("u1", {"text": "hello"})
    assert [c.answered for c in graph.calls] == [500, 500, 200]


def test_transient_errors_give_up_after_the_last_attempt(
    graph_client: GraphClient, graph: GraphStandIn
) -> None:
    graph.fail_next(2, times=10)
    with pytest.raises(TransientGraphError):
        graph_client.send_message("u1", {"text": "hello"})
    assert len(graph.calls) == graph_client.attempts


def test_unreachable_graph_is_transient(tmp_path: Path) -> None:
    client = GraphClient("http://127.0.0.1:9/v25.0", PAGE_TOKEN, backoff_s=0.01)
    with pytest.raises(TransientGraphError):
        client.send_action("u1", "typing_on")


@pytest.mark.parametrize("code", [190, 10, 551, 2])
def test_send_failures_are_logged_by_code_without_the_text(
    graph_client: GraphClient,
    graph: GraphStandIn,
    caplog: pytest.LogCaptureFixture,
    code: int,
) -> None:
    graph.fail_next(code, times=graph_client.attempts)
    caplog.set_level(logging.DEBUG)
    sent = send_replies(MessengerOutput(graph_client), "u1", [Reply("my secret words")])
    assert not sent
    assert f"code {code}" in caplog.text
    assert "my secret words" not in caplog.text


def test_a_transient_error_through_the_webhook_still_delivers(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    graph.fail_next(2)
    started = time.monotonic()
    signed_post(payloads.webhook([payloads.text("u1", "hi")]))
    wait_answered(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.GREETING, texts.NO_PUBLIC]
    assert time.monotonic() - started < 5


def test_show_all_with_many_personas_is_plain_text(
    app: Flask,
    signed_post: SignedPost,
    graph: GraphStandIn,
    app_services: Services,
    artifact: Path,
) -> None:
    key = add_ready_persona(app_services, artifact, name="Persona 00")
    for n in range(1, MAX_QUICK_REPLIES + 1):
        add_ready_persona(app_services, artifact, f"Persona {n:02}", artifact_key=key)
    signed_post(payloads.webhook([payloads.text("u1", "%show all")]))
    wait_answered(app)
    listing = graph.messages("u1")[-1]
    assert listing.text and listing.text.startswith("Public personas: Persona 00")
    assert listing.quick_replies == []
