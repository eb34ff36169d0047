"""A persona's whole life, in both configurations.

Embedded: SQLite, a local folder and a job thread. Scaled: PostgreSQL, SeaweedFS S3,
Redis and a `mimical worker` subprocess with a MIMICAL_HOME of its own (so nothing
reaches it except through the database, the bucket and the broker).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.app import create_app, shutdown_app
from serving.config import Config
from serving.jobs.build import ARTIFACT_FILES
from serving.models import Job
from tests.servers import S3Server
from tests.serving.api_helpers import create_persona, wait_for_job
from tests.serving.chatting import said, say
from tests.serving.pages.browsing import unlock
from tests.serving.worker_process import WorkerProcess, worker_env

pytestmark = pytest.mark.slow


def run_lifecycle(
    app: Flask, upload: bytes, stored_keys: Callable[[], list[str]]
) -> None:
    """Create with an upload, poll to ready, see the report's pictures, chat,
    delete; check what is stored."""
    client: FlaskClient = app.test_client()
    created = create_persona(client, "Romeo", upload, password="balcony")
    assert created.status_code == 202, created.json

    job = wait_for_job(client, created.json["job"]["id"])

    assert job["state"] == "succeeded", job["error"]
    persona = client.get("/api/personas/Romeo").json["persona"]
    assert persona["status"] == "ready"
    assert artifact_files(settled(stored_keys)) == STORED_FILES  # the artifact only
    unlock(client, "Romeo", created.json["manage_token"])
    picture = client.get("/personas/Romeo/report/style.png")  # from the stored report
    assert picture.mimetype == "image/png" and picture.data.startswith(b"\x89PNG")

    engine = app.extensions["mimical"].engine
    greeting = said(engine, "juliet", "Romeo")
    assert "password" in " ".join(greeting)
    confirmed = said(engine, "juliet", "balcony")
    assert any("You are now chatting with Romeo" in text for text in confirmed)
    reply = say(engine, "juliet", "Wherefore art thou?")
    assert reply.model_answered and all(t.strip() for t in reply.persona_texts)
    assert app.extensions["mimical"].cache.misses == 1

    denied = client.post("/getModel", json={"chatbotName": "Romeo", "password": "x"})
    model = client.post(
        "/getModel", json={"chatbotName": "Romeo", "password": "balcony"}
    )
    assert denied.status_code == 403
    assert model.json["model"] == persona_key(stored_keys())

    deleted = client.delete(
        "/api/personas/Romeo",
        headers={"Authorization": f"Bearer {created.json['manage_token']}"},
    )

    assert deleted.status_code == 200
    assert client.get("/api/personas/Romeo").status_code == 404
    assert stored_keys() == []


# What is stored of a ready persona: its model folder, and the report beside it.
STORED_FILES = sorted([*ARTIFACT_FILES, "report/report.json"])


def settled(stored_keys: Callable[[], list[str]], timeout_s: float = 30.0) -> list[str]:
    """The stored keys once the job's working data is gone: the job reads
    "succeeded" just before its `jobs/ID/` checkpoints are deleted."""
    deadline = time.monotonic() + timeout_s
    keys = stored_keys()
    while any(key.startswith("jobs/") for key in keys) and time.monotonic() < deadline:
        time.sleep(0.1)
        keys = stored_keys()
    return keys


def artifact_files(keys: list[str]) -> list[str]:
    """The files stored under `personas/ID/ARTIFACT/` (and fails on any other key)."""
    assert all(key.split("/")[0] == "personas" for key in keys), keys
    return sorted("/".join(key.split("/")[3:]) for key in keys)


def persona_key(keys: list[str]) -> str:
    """The artifact key (`personas/ID/ARTIFACT`) of the stored model files."""
    return "/".join(keys[0].split("/")[:3])


def test_lifecycle_embedded(app: Flask, upload: bytes, home: Path) -> None:
    root = home / "artifacts"

    def stored_keys() -> list[str]:  # os.walk skips a folder deleted meanwhile
        return sorted(
            (Path(folder) / name).relative_to(root).as_posix()
            for folder, _, names in os.walk(root)
            for name in names
        )

    run_lifecycle(app, upload, stored_keys)
    assert list((home / "uploads").iterdir()) == []


@pytest.fixture
def scaled_config(
    home: Path, postgres_url: str, redis_url: str, s3_server: S3Server, s3_bucket: str
) -> Config:
    """PostgreSQL + S3 + Celery with Redis."""
    return Config(
        home=home,
        database_url=postgres_url,
        storage_url=f"s3://{s3_bucket}/mimical",
        s3_endpoint_url=s3_server.endpoint_url,
        jobs="celery",
        broker_url=redis_url,
        secret_key="test-secret-key-of-at-least-32-chars",
    )


@pytest.fixture
def scaled_app(scaled_config: Config) -> Iterator[Flask]:
    """The web app of the scaled configuration (it runs no jobs itself)."""
    built = create_app(scaled_config)
    yield built
    shutdown_app(built)


@pytest.fixture
def start_worker(
    scaled_config: Config, s3_server: S3Server, tmp_path: Path
) -> Iterator[Callable[[], WorkerProcess]]:
    """Starts `mimical worker` processes (each with its own home); stops them all."""
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        number = len(workers) + 1
        home = tmp_path / f"worker-{number}"
        env = worker_env(scaled_config, s3_server, home)
        worker = WorkerProcess(env, tmp_path / f"worker-{number}.log")
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def bucket_keys(s3_server: S3Server, bucket: str) -> list[str]:
    """Every key in the bucket, below the `mimical/` prefix."""
    listed = s3_server.client().list_objects_v2(Bucket=bucket)
    return sorted(
        item["Key"].removeprefix("mimical/") for item in listed.get("Contents", [])
    )


def test_lifecycle_scaled(
    scaled_app: Flask,
    start_worker: Callable[[], WorkerProcess],
    upload: bytes,
    s3_server: S3Server,
    s3_bucket: str,
    home: Path,
) -> None:
    start_worker()

    run_lifecycle(scaled_app, upload, lambda: bucket_keys(s3_server, s3_bucket))

    assert not (home / "uploads").exists() or not any((home / "uploads").iterdir())


def test_a_killed_worker_job_resumes_from_its_checkpoint_on_another(
    scaled_app: Flask,
    start_worker: Callable[[], WorkerProcess],
    upload: bytes,
    s3_server: S3Server,
    s3_bucket: str,
) -> None:
    client = scaled_app.test_client()
    first = start_worker()
    created = create_persona(
        client,
        "Romeo",
        upload,
        minutes=0.25,
        train={"batch_size": 8, "seq_len": 32, "checkpoint_seconds": 1},
    ).json
    job_id = created["job"]["id"]
    db = scaled_app.extensions["mimical"].services.db

    checkpoint = _wait_for_checkpoint(db, job_id)
    first.kill()

    assert client.get(f"/api/jobs/{job_id}").json["job"]["state"] == "running"
    assert any(k.startswith(f"jobs/{job_id}/checkpoints/") for k in
               bucket_keys(s3_server, s3_bucket))  # fmt: skip
    start_worker()
    job = wait_for_job(client, job_id, timeout_s=120)

    assert job["state"] == "succeeded", job["error"]
    assert job["attempts"] == 2
    figures = client.get("/api/personas/Romeo").json["persona"]["figures"]
    assert figures["resumed_from_step"] > 0
    assert figures["steps"] > figures["resumed_from_step"]
    assert checkpoint.startswith(f"jobs/{job_id}/checkpoints/")
    assert artifact_files(bucket_keys(s3_server, s3_bucket)) == STORED_FILES


def _wait_for_checkpoint(db, job_id: int, timeout_s: float = 90.0) -> str:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with db.session() as session:
            job = session.get(Job, job_id)
            if job is not None and job.checkpoint_key:
                return str(job.checkpoint_key)
        time.sleep(0.2)
    raise AssertionError("no checkpoint was stored")
