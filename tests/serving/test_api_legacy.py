"""The original endpoints, password handling and the shared lock-out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.app import create_app, shutdown_app
from serving.chat import LOCKOUT, MAX_PASSWORD_ATTEMPTS
from serving.config import Config
from serving.jobs import register_persona
from serving.models import Persona, PersonaStatus, utcnow
from serving.personas import find_persona


def _persona(app: Flask, name: str, public: bool, password: str | None) -> None:
    """A ready persona row (no model needed for these endpoints)."""
    db = app.extensions["mimical"].services.db
    register_persona(db, name, public, password, {"type": "export", "path": "x"})
    with db.session() as session:
        persona = find_persona(session, name)
        assert isinstance(persona, Persona)
        persona.status, persona.artifact_key = PersonaStatus.READY, f"personas/{name}"


def test_public_chatbots_and_public_model(app: Flask, client: FlaskClient) -> None:
    _persona(app, "Mercutio", public=True, password=None)
    _persona(app, "Juliet", public=True, password="nightingale")
    _persona(app, "Tybalt", public=False, password=None)

    assert client.get("/getPublicChatbots").json == ["Juliet", "Mercutio"]
    open_model = client.get("/getPublicModel?chatbotName=mercutio")
    assert open_model.json == {
        "chatbotName": "Mercutio",
        "status": "ready",
        "model": "personas/Mercutio",
    }
    assert client.get("/getPublicModel?chatbotName=Juliet").status_code == 403
    assert client.get("/getPublicModel?chatbotName=Tybalt").status_code == 404
    assert (
        client.get("/getPublicModel?chatbotName=Juliet&password=x").status_code == 400
    )


def test_get_model_checks_the_password_from_the_body(
    app: Flask, client: FlaskClient
) -> None:
    _persona(app, "Juliet", public=False, password="nightingale")

    right = client.post(
        "/getModel", json={"chatbotName": "Juliet", "password": "nightingale"}
    )
    wrong = client.post("/getModel", json={"chatbotName": "Juliet", "password": "lark"})
    in_url = client.post(
        "/getModel?password=nightingale", json={"chatbotName": "Juliet"}
    )
    unknown = client.post("/getModel", json={"chatbotName": "Nobody", "password": "x"})
    no_body = client.post("/getModel", data="chatbotName=Juliet")

    assert right.status_code == 200 and right.json["model"] == "personas/Juliet"
    assert (wrong.status_code, wrong.json["code"]) == (403, "forbidden")
    assert in_url.status_code == 400
    assert unknown.status_code == 404
    assert no_body.status_code == 400


def test_wrong_passwords_are_rate_limited(app: Flask, client: FlaskClient) -> None:
    _persona(app, "Juliet", public=True, password="nightingale")
    body = {"chatbotName": "Juliet", "password": "lark"}

    statuses = [client.post("/getModel", json=body).status_code for _ in range(6)]
    locked = client.post(
        "/getModel", json={"chatbotName": "Juliet", "password": "nightingale"}
    )

    assert statuses == [403] * 5 + [429]
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


def test_a_lock_out_ends_after_its_time(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _persona(app, "Juliet", public=True, password="nightingale")
    wrong = {"chatbotName": "Juliet", "password": "lark"}
    right = {"chatbotName": "Juliet", "password": "nightingale"}
    for _ in range(MAX_PASSWORD_ATTEMPTS):
        client.post("/getModel", json=wrong)
    blocked = client.post("/getModel", json=right)
    later = utcnow() + LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr("serving.chat.lockout.utcnow", lambda: later)

    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) == LOCKOUT.total_seconds()
    assert client.post("/getModel", json=right).status_code == 200


def test_behind_a_proxy_each_client_has_its_own_attempts(config: Config) -> None:
    app = create_app(replace(config, proxy_hops=1))
    try:
        _persona(app, "Juliet", public=True, password="nightingale")
        client = app.test_client()
        wrong = {"chatbotName": "Juliet", "password": "lark"}
        right = {"chatbotName": "Juliet", "password": "nightingale"}
        attacker = {"X-Forwarded-For": "203.0.113.7"}
        for _ in range(6):
            client.post("/getModel", json=wrong, headers=attacker)
        locked = client.post("/getModel", json=right, headers=attacker)
        other = client.post(
            "/getModel", json=right, headers={"X-Forwarded-For": "198.51.100.2"}
        )
        assert locked.status_code == 429
        assert other.status_code == 200, "one client's failures lock only that client"
    finally:
        shutdown_app(app, wait=True)
