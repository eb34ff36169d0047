"""Message ids claimed once: across threads, server processes and restarts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text

from serving.app import create_app
from serving.channels.messenger.seen import (
    claim_events,
    forget_old_events,
    release_events,
)
from serving.chat import texts
from serving.config import Config
from serving.db import Database
from serving.models import SeenEvent, utcnow
from tests.serving.channels import payloads
from tests.serving.channels.conftest import APP_SECRET, close_app, wait_answered
from tests.standins.graph_api import GraphStandIn


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, config: Config) -> Iterator[str]:
    """The same tests on the embedded database and on PostgreSQL."""
    if request.param == "sqlite":
        yield config.database_url
        return
    url = request.getfixturevalue("postgres_url")
    db = Database(url)
    db.create_schema()
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM seen_events"))
    db.dispose()
    yield url


def test_each_id_is_claimed_by_exactly_one_of_many_processes(database_url: str) -> None:
    # One Database per "process": separate engines and connection pools.
    servers = [Database(database_url) for _ in range(4)]
    servers[0].create_schema()
    ids = [f"mid-{n}" for n in range(30)]
    won: list[list[str]] = [[] for _ in servers]
    start = threading.Barrier(len(servers))

    def claim(index: int) -> None:
        start.wait()
        for event_id in ids:  # one claim per webhook call, as the webhook does
            won[index].extend(claim_events(servers[index], [event_id]))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(servers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [event_id for server in won for event_id in server]
    assert sorted(claimed) == sorted(ids)
    with servers[0].session() as session:
        assert len(session.scalars(select(SeenEvent)).all()) == len(ids)
    for server in servers:
        server.dispose()


def test_a_batch_claims_only_new_ids_once(database_url: str) -> None:
    db = Database(database_url)
    db.create_schema()
    assert claim_events(db, ["a", "b"]) == ["a", "b"]
    assert claim_events(db, ["b", "c", "c", "a"]) == ["c"]
    release_events(db, ["c"])
    assert claim_events(db, ["c"]) == ["c"]
    db.dispose()


def test_old_claims_are_forgotten(database_url: str) -> None:
    db = Database(database_url)
    db.create_schema()
    claim_events(db, ["old", "new"])
    with db.session() as session:
        session.get(SeenEvent, "old").seen_at = utcnow() - timedelta(days=3)  # type: ignore[union-attr]
    assert forget_old_events(db) == 1
    assert claim_events(db, ["old", "new"]) == ["old"]
    db.dispose()


def test_a_retry_after_a_restart_is_not_answered_again(
    messenger_config: Config, graph: GraphStandIn
) -> None:
    body = payloads.encode(payloads.webhook([payloads.text("u1", "%help")]))
    headers = {"X-Hub-Signature-256": payloads.sign(body, APP_SECRET)}
    for _restart in range(2):
        app = create_app(messenger_config)
        response = app.test_client().post(
            "/webhooks/messenger", data=body, headers=headers
        )
        assert response.status_code == 200
        wait_answered(app)
        close_app(app)
    assert graph.texts("u1") == [texts.DISCLOSURE, texts.GREETING, texts.HELP]


def test_two_servers_given_the_same_delivery_answer_once(
    messenger_config: Config, graph: GraphStandIn
) -> None:
    apps: list[Flask] = [create_app(replace(messenger_config)) for _ in range(2)]
    body = payloads.encode(
        payloads.webhook([payloads.text(f"u{n}", "%help") for n in range(10)])
    )
    headers = {"X-Hub-Signature-256": payloads.sign(body, APP_SECRET)}
    start = threading.Barrier(len(apps))
    statuses: list[int] = []

    def deliver(app: Flask) -> None:
        start.wait()
        response = app.test_client().post(
            "/webhooks/messenger", data=body, headers=headers
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=deliver, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for app in apps:
        wait_answered(app)
        close_app(app)
    assert statuses == [200, 200]
    for n in range(10):
        assert graph.texts(f"u{n}") == [texts.DISCLOSURE, texts.GREETING, texts.HELP]
