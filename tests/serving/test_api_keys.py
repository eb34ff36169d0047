"""API keys: the owner makes, lists and revokes them; only a keyed hash is stored."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from serving.api_keys import MAX_KEYS_PER_PERSONA, key_digest
from serving.models import ApiKey
from serving.personas import create_persona

KEYS = "/api/personas/Juliet/keys"


@pytest.fixture
def owner(app: Flask) -> dict[str, str]:
    """Juliet exists (private); her owner's Authorization header."""
    with app.extensions["mimical"].services.db.session() as session:
        _persona, token = create_persona(session, "Juliet", False, None)
    return {"Authorization": f"Bearer {token}"}


def _rows(app: Flask) -> str:
    engine = app.extensions["mimical"].services.db.engine
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row))
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )


def test_a_new_key_is_shown_once_and_stored_hashed(
    app: Flask, client: FlaskClient, owner: dict[str, str]
) -> None:
    created = client.post(KEYS, json={"label": "Open WebUI"}, headers=owner)
    listed = client.get(KEYS, headers=owner)

    assert created.status_code == 201
    key = created.json["key"]
    assert key.startswith("mimical-") and len(key) > 40
    assert listed.json == {
        "keys": [{k: v for k, v in created.json.items() if k != "key"}]
    }
    assert key.startswith(listed.json["keys"][0]["prefix"])
    assert key not in _rows(app)
    secret = app.extensions["mimical"].services.config.secret_key
    with app.extensions["mimical"].services.db.session() as session:
        stored = session.scalars(select(ApiKey)).one()
        assert stored.key_hash == key_digest(secret, key)


def test_a_revoked_key_is_gone(client: FlaskClient, owner: dict[str, str]) -> None:
    first = client.post(KEYS, headers=owner).json
    second = client.post(KEYS, headers=owner).json

    revoked = client.delete(f"{KEYS}/{first['id']}", headers=owner)
    again = client.delete(f"{KEYS}/{first['id']}", headers=owner)

    assert revoked.json == {"revoked": first["id"]}
    assert again.status_code == 404
    assert [k["id"] for k in client.get(KEYS, headers=owner).json["keys"]] == [
        second["id"]
    ]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("post", KEYS, {}, 401),
        ("get", KEYS, {"Authorization": "Bearer not-the-token"}, 401),
        ("delete", f"{KEYS}/1", {"Authorization": "Basic bWU6cHc="}, 401),
        ("post", "/api/personas/Nobody/keys", {"Authorization": "Bearer x"}, 404),
    ],
)
def test_only_the_manage_token_opens_the_keys(
    client: FlaskClient,
    owner: dict[str, str],
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
) -> None:
    response = getattr(client, method)(path, headers=headers)
    assert response.status_code == status
    assert response.json["error"]


@pytest.mark.parametrize(
    "body", [{"label": "x" * 81}, {"label": 5}, {"colour": "blue"}, ["a list"]]
)
def test_bad_key_requests_are_refused(
    client: FlaskClient, owner: dict[str, str], body: Any
) -> None:
    response = client.post(KEYS, json=body, headers=owner)
    assert response.status_code == 400 and response.json["error"]


def test_a_persona_has_a_bounded_number_of_keys(
    client: FlaskClient, owner: dict[str, str]
) -> None:
    for _ in range(MAX_KEYS_PER_PERSONA):
        assert client.post(KEYS, headers=owner).status_code == 201
    refused = client.post(KEYS, headers=owner)
    assert (refused.status_code, refused.json["code"]) == (400, "invalid_key_request")


def test_deleting_the_persona_deletes_its_keys(
    app: Flask, client: FlaskClient, owner: dict[str, str]
) -> None:
    client.post(KEYS, headers=owner)
    assert client.delete("/api/personas/Juliet", headers=owner).status_code == 200
    with app.extensions["mimical"].services.db.session() as session:
        assert session.scalars(select(ApiKey)).all() == []
