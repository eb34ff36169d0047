"""The persona API in the embedded configuration: create, poll, list, show, delete."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.models import ChatSession
from tests.serving.api_helpers import create_persona, wait_for_job
from tests.serving.chatting import say


def test_create_answers_202_then_the_job_makes_a_listed_ready_persona(
    client: FlaskClient, upload: bytes, home: Path
) -> None:
    response = create_persona(client, "Romeo", upload, password="balcony")

    assert response.status_code == 202
    body = response.json
    assert body["persona"]["name"] == "Romeo"
    assert body["persona"]["protected"] is True
    assert body["job"]["state"] in ("queued", "running")
    assert set(body["job"]) >= {"id", "state", "progress", "stage", "error"}
    assert len(body["manage_token"]) >= 40
    assert response.headers["Location"].endswith(f"/api/jobs/{body['job']['id']}")

    job = wait_for_job(client, body["job"]["id"])

    assert job["state"] == "succeeded", job["error"]
    assert (job["progress"], job["stage"], job["attempts"]) == (1.0, "done", 1)
    shown = client.get("/api/personas/romeo").json
    assert shown["persona"]["status"] == "ready"
    assert shown["persona"]["figures"]["steps"] == 12
    assert shown["job"]["id"] == job["id"]
    assert [p["name"] for p in client.get("/api/personas").json["personas"]] == [
        "Romeo"
    ]
    assert client.get("/getPublicChatbots").json == ["Romeo"]
    # The upload and the raw corpus are gone once the job ends.
    assert list((home / "uploads").iterdir()) == []
    assert not (home / "jobs" / str(job["id"])).exists()


def test_a_private_persona_is_unlisted_and_keep_data_keeps_its_data(
    client: FlaskClient, upload: bytes, home: Path
) -> None:
    created = create_persona(
        client, "Rosaline", upload, public=False, keep_data=True
    ).json

    owner = {"Authorization": f"Bearer {created['manage_token']}"}
    job = wait_for_job(client, created["job"]["id"], token=created["manage_token"])

    assert job["state"] == "succeeded"
    assert client.get("/api/personas").json == {"personas": []}
    assert client.get("/getPublicChatbots").json == []
    shown = client.get("/api/personas/Rosaline", headers=owner).json
    assert shown["persona"]["public"] is False
    assert len(list((home / "uploads").iterdir())) == 1
    assert (home / "jobs" / str(job["id"]) / "corpus" / "corpus.json").exists()


def test_a_bad_export_fails_the_job_with_a_message(client: FlaskClient) -> None:
    created = create_persona(client, "Romeo", b"this is not an export").json

    job = wait_for_job(client, created["job"]["id"])

    assert job["state"] == "failed"
    assert job["error"] and "internal error" not in job["error"]
    assert client.get("/api/personas/Romeo").json["persona"]["status"] == "failed"


def test_a_failed_job_says_what_to_fix_but_names_no_sender_or_path(
    client: FlaskClient, upload: bytes, home: Path
) -> None:
    created = create_persona(client, "Romeo", upload, me="Nobody At All").json

    job = wait_for_job(client, created["job"]["id"])

    assert job["state"] == "failed"
    assert "`me`" in job["error"]
    # The export's senders are friends' names; paths say where the server keeps data.
    for private in ("Juliet", "Nurse", str(home), "/"):
        assert private not in job["error"]


def _multipart(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "Romeo", "public": "true"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"export": None}, 400, "bad_request"),
        ({"name": "", "export": "file"}, 400, "bad_request"),
        ({"name": "%admin", "export": "file"}, 400, "invalid_name"),
        ({"public": "maybe", "export": "file"}, 400, "bad_request"),
        ({"minutes": "0", "export": "file"}, 400, "bad_request"),
        ({"minutes": "ten", "export": "file"}, 400, "bad_request"),
        ({"train": '{"device": "cuda"}', "export": "file"}, 400, "bad_request"),
        ({"train": '{"max_steps": 0}', "export": "file"}, 400, "bad_request"),
        ({"train": "[1, 2]", "export": "file"}, 400, "bad_request"),
        ({"export": "empty"}, 400, "invalid_upload"),
    ],
)
def test_create_refuses_bad_requests(
    client: FlaskClient, home: Path, fields: dict[str, Any], status: int, code: str
) -> None:
    data = _multipart(**fields)
    if data.get("export") == "file":
        data["export"] = (io.BytesIO(b"PK zip bytes"), "export.zip")
    elif data.get("export") == "empty":
        data["export"] = (io.BytesIO(b""), "export.zip")

    response = client.post("/api/personas", data=data)

    assert response.status_code == status
    assert response.json["code"] == code
    assert response.json["error"]
    assert not any((home / "uploads").glob("*/*"))  # nothing left behind


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ({"name": "Romeo", "public": True}, 400),
        ({"name": "Romeo", "source": {"type": "export"}}, 400),
        ({"name": "Romeo", "source": {"type": "messenger", "thread_ids": ["1"]}}, 400),
        (
            {"name": "Romeo", "source": {"type": "messenger", "cookies": {"c": "v"}}},
            400,
        ),
        (
            {
                "name": "Romeo",
                "public": "yes",
                "source": {
                    "type": "messenger",
                    "cookies": {"c": "v"},
                    "thread_ids": ["1"],
                },
            },
            400,
        ),
    ],
)
def test_create_refuses_bad_json(client: FlaskClient, body: Any, status: int) -> None:
    text = body if isinstance(body, str) else json.dumps(body)

    response = client.post("/api/personas", data=text, content_type="application/json")

    assert response.status_code == status
    assert response.json["code"] == "bad_request"


def test_create_refuses_a_taken_name_and_drops_the_upload(
    client: FlaskClient, upload: bytes, home: Path
) -> None:
    first = create_persona(client, "Romeo", b"not an export").json
    wait_for_job(client, first["job"]["id"])

    response = create_persona(client, "ROMEO", upload)

    assert response.status_code == 409
    assert response.json["code"] == "persona_exists"
    assert list((home / "uploads").iterdir()) == []


def test_uploads_over_the_size_limit_are_refused(
    app: Flask, client: FlaskClient
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024

    response = create_persona(client, "Romeo", b"x" * 4096)

    assert response.status_code == 413
    assert response.json["code"] == "request_entity_too_large"


def test_unknown_persona_and_job_answer_404_json(client: FlaskClient) -> None:
    assert client.get("/api/personas/nobody").status_code == 404
    assert client.get("/api/personas/nobody").json["code"] == "unknown_persona"
    assert client.get("/api/jobs/999").json["code"] == "not_found"
    assert client.get("/api/nothing-here").json["code"] == "not_found"


def test_delete_needs_the_manage_token_and_removes_everything(
    app: Flask, client: FlaskClient, upload: bytes, home: Path
) -> None:
    created = create_persona(client, "Romeo", upload, password="balcony").json
    wait_for_job(client, created["job"]["id"])
    engine = app.extensions["mimical"].engine
    say(engine, "u1", "Romeo")
    artifacts = home / "artifacts" / "personas"
    assert any(artifacts.rglob("model.safetensors"))
    assert any(artifacts.rglob("verbatim.safetensors"))  # the filter's index too

    missing = client.delete("/api/personas/Romeo")
    wrong = client.delete(
        "/api/personas/Romeo", headers={"Authorization": "Bearer not-the-token"}
    )
    right = client.delete(
        "/api/personas/romeo",
        headers={"Authorization": f"Bearer {created['manage_token']}"},
    )

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert right.status_code == 200 and right.json == {"deleted": "Romeo"}
    assert client.get("/api/personas/Romeo").status_code == 404
    assert not any(artifacts.rglob("*.safetensors"))
    services = app.extensions["mimical"].services
    with services.db.session() as session:
        assert session.query(ChatSession).filter_by(persona_id=1).count() == 0


def test_responses_carry_a_request_id(client: FlaskClient) -> None:
    chosen = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    fresh = client.get("/healthz")

    assert chosen.headers["X-Request-ID"] == "abc-123"
    assert len(fresh.headers["X-Request-ID"]) == 32
    assert chosen.json == {"status": "ok", "database": "ok"}


def test_deleting_a_persona_while_it_trains_stops_its_job(
    app: Flask, client: FlaskClient, upload: bytes, home: Path
) -> None:
    train = {"batch_size": 8, "seq_len": 32}  # bounded by minutes only
    created = create_persona(client, "Romeo", upload, minutes=2.0, train=train).json
    job_id = created["job"]["id"]
    wait_for_job(client, job_id, until="training")

    deleted = client.delete(
        "/api/personas/Romeo",
        headers={"Authorization": f"Bearer {created['manage_token']}"},
    )

    assert deleted.status_code == 200
    assert client.get(f"/api/jobs/{job_id}").status_code == 404
    app.extensions["mimical"].runner.futures[job_id].result(timeout=30)
    assert not any((home / "artifacts").rglob("*.safetensors"))
    assert not (home / "jobs" / str(job_id)).exists()
    assert list((home / "uploads").iterdir()) == []
