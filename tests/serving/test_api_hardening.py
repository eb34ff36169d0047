"""Crafted requests from the adversarial pass: each a JSON 4xx, never a 500.

On SQLite and PostgreSQL (the `app` fixture): the lone surrogates broke both.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.app import create_app, shutdown_app
from serving.config import Config
from serving.jobs import register_persona
from serving.models import Persona
from serving.security import hash_secret, new_token

DEEP = "[" * 50_000 + "]" * 50_000
SURROGATE = '"\\ud800"'  # a JSON escape of a lone surrogate: no character at all
MESSENGER = {"type": "messenger", "cookies": {"c_user": "1"}, "thread_ids": ["1"]}


def _register(app: Flask, name: str, public: bool = True) -> str:
    """A pending persona registered without a job runner; its manage token."""
    db = app.extensions["mimical"].services.db
    return register_persona(db, name, public, None, {"type": "export"}).manage_token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_json_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert set(response.json) >= {"error", "code"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/personas", DEEP),
        ("post", "/getModel", DEEP),
        ("patch", "/api/personas/Romeo/web", DEEP),
        ("post", "/getModel", '{"chatbotName": ' + SURROGATE + "}"),
        (
            "post",
            "/getModel",
            '{"chatbotName": "Romeo", "password": ' + SURROGATE + "}",
        ),
        (
            "post",
            "/api/personas",
            '{"name": "Juliet", "password": ' + SURROGATE + ', "source": {"type": '
            '"messenger", "cookies": {"c_user": "1"}, "thread_ids": ["1"]}}',
        ),
        ("patch", "/api/personas/Romeo/web", '{"embed_origins": ["https://[::1"]}'),
    ],
)
def test_crafted_bodies_are_refused_with_a_json_400(
    app: Flask, client: FlaskClient, method: str, path: str, body: str
) -> None:
    token = _register(app, "Romeo")

    response = getattr(client, method)(
        path, data=body, content_type="application/json", headers=_bearer(token)
    )

    _assert_json_error(response, 400)


def test_a_bad_origin_is_not_even_read_without_the_token(
    app: Flask, client: FlaskClient
) -> None:
    _register(app, "Romeo")

    response = client.patch(
        "/api/personas/Romeo/web", json={"embed_origins": ["https://[::1"]}
    )

    _assert_json_error(response, 401)


@pytest.mark.parametrize(
    "path", ["/api/jobs/99999999999999999999999", "/api/jobs/2147483648"]
)
def test_a_job_id_past_the_database_range_is_a_404(
    client: FlaskClient, path: str
) -> None:
    _assert_json_error(client.get(path), 404)


def test_a_private_persona_and_its_job_are_shown_only_to_its_owner(
    app: Flask, client: FlaskClient
) -> None:
    token = _register(app, "Rosaline", public=False)

    for path in ("/api/personas/Rosaline", "/api/jobs/1"):
        anonymous = client.get(path)
        stranger = client.get(path, headers=_bearer(new_token()))
        owner = client.get(path, headers=_bearer(token))

        _assert_json_error(anonymous, 404)
        _assert_json_error(stranger, 404)
        if "jobs" in path:  # the job must not name its persona to strangers
            assert "Rosaline" not in anonymous.get_data(as_text=True)
        assert owner.status_code == 200
        assert "Rosaline" in owner.get_data(as_text=True)


def test_a_public_persona_and_its_job_are_shown_to_anyone(
    app: Flask, client: FlaskClient
) -> None:
    _register(app, "Romeo")

    assert client.get("/api/personas/Romeo").status_code == 200
    assert client.get("/api/jobs/1").json["job"]["persona"] == "Romeo"


def test_a_bearer_token_not_of_our_form_costs_no_hashing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(app, "Romeo")

    def slow_hash(*_args: object) -> bool:
        raise AssertionError("argon2 ran for a token that cannot be ours")

    monkeypatch.setattr("serving.security.verify_secret", slow_hash)
    response = client.delete("/api/personas/Romeo", headers=_bearer("x"))

    _assert_json_error(response, 401)


def test_manage_tokens_are_stored_as_keyed_hashes_and_old_argon2_ones_still_work(
    app: Flask, client: FlaskClient
) -> None:
    services = app.extensions["mimical"].services
    token = _register(app, "Romeo")
    old_token = new_token()
    _register(app, "Juliet")
    with services.db.session() as session:
        romeo, juliet = (
            session.query(Persona).filter_by(name=n).one() for n in ("Romeo", "Juliet")
        )
        assert romeo.manage_token_hash.startswith("hmac-sha256$")
        assert token not in romeo.manage_token_hash
        juliet.manage_token_hash = hash_secret(old_token)  # made before the change

    assert (
        client.get("/api/personas/Juliet/web", headers=_bearer(old_token)).status_code
        == 200
    )
    assert (
        client.get("/api/personas/Romeo/web", headers=_bearer(token)).status_code == 200
    )
    with services.db.session() as session:
        juliet = session.query(Persona).filter_by(name="Juliet").one()
        assert juliet.manage_token_hash.startswith("hmac-sha256$")  # re-hashed


@pytest.mark.parametrize(
    ("name", "taken_by"),
    [
        ("Ｒｏｍｅｏ", "Romeo"),  # full-width: NFKC makes it Romeo
        ("romeo", "Romeo"),
        ("R0meo", None),  # a digit zero is a different name
    ],
)
def test_lookalike_names_are_taken_by_the_name_they_imitate(
    app: Flask, name: str, taken_by: str | None
) -> None:
    from serving.personas import PersonaExistsError

    _register(app, "Romeo")
    if taken_by is None:
        _register(app, name)
        return
    with pytest.raises(PersonaExistsError):
        _register(app, name)


@pytest.mark.parametrize("name", ["Rоmeo", "Jυliet"])  # Cyrillic о, Greek υ
def test_names_that_mix_lookalike_scripts_are_refused(
    client: FlaskClient, name: str
) -> None:
    response = client.post("/api/personas", data={"name": name, "public": "true"})

    _assert_json_error(response, 400)
    assert response.json["code"] == "invalid_name"


@pytest.mark.parametrize("password", ["%secret", " secret", "secret ", "se\ncret"])
def test_passwords_that_cannot_be_typed_in_chat_are_refused(
    client: FlaskClient, password: str
) -> None:
    body = {
        "name": "Juliet",
        "password": password,
        "source": {
            "type": "messenger",
            "cookies": {"c_user": "1"},
            "thread_ids": ["1"],
        },
    }

    response = client.post("/api/personas", json=body)

    _assert_json_error(response, 400)
    assert client.get("/api/personas/Juliet").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minutes", 120),
        ("train", {"max_steps": 10_000_000}),
        ("train", {"batch_size": 256, "seq_len": 512}),
    ],
)
def test_anonymous_creation_cannot_ask_for_a_large_budget(
    client: FlaskClient, field: str, value: Any
) -> None:
    body = {
        "name": "Juliet",
        "source": {
            "type": "messenger",
            "cookies": {"c_user": "1"},
            "thread_ids": ["1"],
        },
        field: value,
    }

    _assert_json_error(client.post("/api/personas", json=body), 400)


def test_the_session_cookie_is_secure_behind_a_tls_proxy(config: Config) -> None:
    app = create_app(replace(config, proxy_hops=1))
    try:
        client = app.test_client()
        over_tls = client.get("/chat", headers={"X-Forwarded-Proto": "https"})
        plain = app.test_client().get("/chat")
    finally:
        shutdown_app(app)

    assert "Secure" in over_tls.headers["Set-Cookie"]
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_a_json_error_body_is_valid_json_with_an_error_and_a_code(
    client: FlaskClient,
) -> None:
    response = client.post("/getModel", data="{", content_type="application/json")

    _assert_json_error(response, 400)
    json.loads(response.get_data(as_text=True))
