"""Nothing Meta delivers is lost: 200 once signed, every event answered in time."""

from __future__ import annotations

import json

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from serving.channels.messenger import EXTENSION
from serving.channels.messenger.graph import (
    GraphError,
    OutsideWindowError,
    PermissionDeniedError,
    _error_from,
)
from serving.chat import ChatEngine, texts
from serving.models import DeferredEvent
from serving.services import Services
from tests.serving.channels import payloads
from tests.serving.channels.conftest import SignedPost, wait_answered
from tests.standins.graph_api import GraphStandIn

GREETED = [texts.DISCLOSURE, texts.GREETING, texts.NO_PUBLIC]


def _deferred(services: Services) -> list[DeferredEvent]:
    with services.db.session() as session:
        return list(session.scalars(select(DeferredEvent)))


def _greeted(graph: GraphStandIn, *users: str, timeout_s: float = 30.0) -> bool:
    return graph.wait_for(
        lambda g: all(g.texts(user) == GREETED for user in users), timeout_s
    )


def test_a_lone_surrogate_in_one_message_costs_no_one_their_answer(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn
) -> None:
    body = payloads.webhook(
        [payloads.text("a1", "hi"), payloads.text("a2", "\ud800 hi")],
        [payloads.text("a3", "hi")],
    )

    assert signed_post(body).status_code == 200

    wait_answered(app)
    assert _greeted(graph, "a1", "a2", "a3")


def test_one_failing_event_never_costs_the_others_and_is_kept(
    app: Flask,
    signed_post: SignedPost,
    graph: GraphStandIn,
    app_services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prepare = ChatEngine._prepare

    def failing(self: ChatEngine, incoming: object) -> object:
        if incoming.user.user_id == "bad":  # type: ignore[attr-defined]
            raise RuntimeError("this one event breaks")
        return prepare(self, incoming)  # type: ignore[arg-type]

    monkeypatch.setattr(ChatEngine, "_prepare", failing)
    body = payloads.webhook([payloads.text(u, "hi") for u in ("b1", "bad", "b2")])

    assert signed_post(body).status_code == 200

    wait_answered(app)
    assert _greeted(graph, "b1", "b2")
    kept = _deferred(app_services)
    assert [(row.user_id, row.attempts) for row in kept] == [("bad", 1)]
    assert "hi" not in kept[0].sealed_text  # sealed: it could have been a password


def test_a_full_queue_answers_200_and_the_events_are_answered_later(
    app: Flask, signed_post: SignedPost, graph: GraphStandIn, app_services: Services
) -> None:
    workers = app.extensions[EXTENSION].workers(app)
    workers.max_pending = 0  # no room at all

    response = signed_post(payloads.webhook([payloads.text(u, "hi") for u in "cd"]))

    assert response.status_code == 200  # Meta turns off webhooks that fail
    assert {row.user_id for row in _deferred(app_services)} == {"c", "d"}
    workers.max_pending = 100
    assert _greeted(graph, "c", "d")
    assert graph.wait_for(lambda _g: not _deferred(app_services), 10.0)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000 + b"]" * 50_000,
        b"{not json",
        b'{"object": "page", "entry": [{"messaging": [{"sender": {"id": "\\ud800"}}]}]}',  # noqa: E501
    ],
)
def test_any_signed_body_is_acknowledged(
    signed_post: SignedPost, graph: GraphStandIn, body: bytes
) -> None:
    assert signed_post(body).status_code == 200


def _graph_answer(code: int, subcode: int | None) -> requests.Response:
    response = requests.Response()
    response.status_code = 400
    error = {"message": "(#10) refused", "code": code, "error_subcode": subcode}
    response._content = json.dumps({"error": error}).encode()
    return response


@pytest.mark.parametrize(
    ("subcode", "kind"),
    [
        (2018278, OutsideWindowError),  # the 24-hour window closed
        (2018065, PermissionDeniedError),
        (None, PermissionDeniedError),  # a plain permission error
    ],
)
def test_code_10_is_told_apart_by_its_subcode(
    subcode: int | None, kind: type[GraphError]
) -> None:
    assert type(_error_from(_graph_answer(10, subcode))) is kind
