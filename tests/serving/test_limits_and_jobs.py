"""Shared limits and jobs that never get stuck: each limit, and what happens at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.app import create_app, shutdown_app
from serving.config import Config
from serving.jobs import register_persona
from serving.jobs.lease import worker_name
from serving.jobs.runner import SubmitError, ThreadRunner
from serving.jobs.sweeper import MAX_QUEUED_AGE, RESUBMIT_AFTER, sweep
from serving.models import Job, JobState, Persona, utcnow
from serving.storage import StorageError
from tests.serving.api_helpers import create_persona

MESSENGER = {"type": "messenger", "cookies": {"c_user": "1"}, "thread_ids": ["1"]}


class Recorder:
    """A job runner that only records what it was given (jobs stay queued)."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, job_id: int) -> None:
        self.submitted.append(job_id)

    def has(self, job_id: int) -> bool:
        return False

    def resume_unfinished(self) -> list[int]:
        return []

    def shutdown(self, wait: bool = True) -> None:
        pass


@pytest.fixture
def make_app(config: Config) -> Iterator[Any]:
    """Build apps with changed settings and a recording runner; closed after."""
    built: list[Flask] = []

    def make(**settings: Any) -> Flask:
        app = create_app(replace(config, **settings), start_jobs=False)
        app.extensions["mimical"].runner.shutdown()
        app.extensions["mimical"].runner = Recorder()
        built.append(app)
        return app

    yield make
    for app in built:
        shutdown_app(app)


def _create(client: FlaskClient, name: str) -> Any:
    return client.post("/api/personas", json={"name": name, "source": MESSENGER})


def _limited(response: Any, status: int = 429) -> None:
    assert response.status_code == status, response.json
    assert set(response.json) >= {"error", "code"}
    assert int(response.headers["Retry-After"]) >= 1


def test_persona_creation_is_rate_limited_per_address(make_app: Any) -> None:
    client = make_app(rate_create="2/hour", max_queued_per_ip=10).test_client()

    answers = [_create(client, name).status_code for name in ("A1", "B1")]

    assert answers == [202, 202]
    _limited(_create(client, "C1"))


def test_unfinished_jobs_per_address_are_bounded(make_app: Any) -> None:
    client = make_app(max_queued_per_ip=1).test_client()

    assert _create(client, "Romeo").status_code == 202
    refused = _create(client, "Juliet")

    assert refused.status_code == 429 and refused.json["code"] == "too_many_jobs"


def test_all_unfinished_jobs_are_bounded(make_app: Any) -> None:
    client = make_app(max_queued_jobs=1, max_queued_per_ip=5).test_client()

    assert _create(client, "Romeo").status_code == 202
    _limited(_create(client, "Juliet"), 503)


def test_uploads_past_the_disk_cap_are_refused_before_saving(
    make_app: Any, home: Path
) -> None:
    client = make_app(uploads_max_mb=1).test_client()
    part = b'Content-Disposition: form-data; name="export"; filename="e.zip"'
    body = b"--b\r\n" + part + b"\r\n\r\n" + os.urandom(2 << 20) + b"\r\n--b--\r\n"

    response = client.post(
        "/api/personas", data=body, content_type="multipart/form-data; boundary=b"
    )

    _limited(response, 503)
    assert not (home / "uploads").exists() or not any((home / "uploads").iterdir())


@pytest.mark.parametrize(
    ("setting", "path", "method", "body"),
    [
        ("rate_owner", "/api/personas/Romeo/web", "get", None),
        ("rate_get_model", "/getModel", "post", {"chatbotName": "Romeo"}),
    ],
)
def test_owner_routes_and_get_model_are_rate_limited(
    make_app: Any, setting: str, path: str, method: str, body: Any
) -> None:
    app = make_app(**{setting: "2/minute"})
    client = app.test_client()
    headers = {"Authorization": "Bearer " + "x" * 43}
    db = app.extensions["mimical"].services.db
    register_persona(db, "Romeo", True, None, {})

    for _ in range(2):
        getattr(client, method)(path, json=body, headers=headers)

    _limited(getattr(client, method)(path, json=body, headers=headers))


def test_rate_limits_are_shared_by_every_server_through_redis(
    make_app: Any, redis_url: str
) -> None:
    servers = [
        make_app(broker_url=redis_url, rate_get_model="3/minute").test_client()
        for _ in range(2)
    ]
    body = {"chatbotName": "Nobody"}

    answers = [
        servers[n % 2].post("/getModel", json=body).status_code for n in range(3)
    ]

    assert answers == [404, 404, 404]
    _limited(servers[1].post("/getModel", json=body))


def test_a_failed_submit_rolls_the_persona_back(
    config: Config, upload: bytes, home: Path
) -> None:
    # A broker nobody listens on: the job cannot be queued.
    app = create_app(
        replace(config, jobs="celery", broker_url="redis://127.0.0.1:1/0"),
        start_jobs=False,
    )
    try:
        client = app.test_client()
        refused = create_persona(client, "Romeo", upload)
        db = app.extensions["mimical"].services.db
        with db.session() as session:
            left = session.query(Persona).count(), session.query(Job).count()
    finally:
        shutdown_app(app)

    assert refused.status_code == 503 and refused.json["code"] == "jobs_unavailable"
    assert left == (0, 0)  # the name is free again, nothing waits forever
    assert not any((home / "uploads").iterdir())


def test_the_thread_runner_queue_is_bounded(services: Any) -> None:
    runner = ThreadRunner(services, max_queued=2)
    runner._run = lambda _job_id: __import__("time").sleep(0.5)  # type: ignore[method-assign]
    try:
        runner.submit(1)
        runner.submit(2)
        with pytest.raises(SubmitError):
            runner.submit(3)
    finally:
        runner.shutdown(wait=True)


def _job(services: Any, name: str, **fields: Any) -> int:
    registration = register_persona(services.db, name, True, None, {})
    with services.db.session() as session:
        job = session.get(Job, registration.job_id)
        for key, value in fields.items():
            setattr(job, key, value)
    return registration.job_id


def test_the_sweeper_resends_queued_jobs_nobody_took(services: Any) -> None:
    stale = _job(services, "Romeo", updated_at=utcnow() - RESUBMIT_AFTER * 2)
    fresh = _job(services, "Juliet")
    runner = Recorder()

    report = sweep(services, runner)

    assert runner.submitted == [stale] and report.resubmitted == [stale]
    assert fresh not in runner.submitted
    assert sweep(services, runner).resubmitted == []  # once per interval


def test_the_sweeper_fails_jobs_queued_too_long(services: Any) -> None:
    old = utcnow() - MAX_QUEUED_AGE - timedelta(minutes=1)
    job_id = _job(services, "Romeo", created_at=old, updated_at=old)

    sweep(services, Recorder())

    with services.db.session() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.persona.status.value) == (JobState.FAILED, "failed")
        assert "worker" in job.error


def test_a_running_job_whose_runner_stopped_beating_is_run_again(
    services: Any,
) -> None:
    # This very process claimed it, then could not even record its failure.
    job_id = _job(
        services,
        "Romeo",
        state=JobState.RUNNING,
        worker=worker_name(),
        heartbeat_at=utcnow() - timedelta(minutes=10),
    )
    runner = Recorder()

    report = sweep(services, runner)

    assert report.requeued == [job_id] and runner.submitted == [job_id]


def test_delete_answers_503_with_nothing_deleted_when_the_store_fails(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    client = app.test_client()
    services = app.extensions["mimical"].services
    token = register_persona(services.db, "Romeo", True, None, {}).manage_token
    headers = {"Authorization": f"Bearer {token}"}

    def broken(_key: str) -> None:
        raise StorageError("the store is down")

    with monkeypatch.context() as patch:
        patch.setattr(services.storage, "delete_tree", broken)
        failed = client.delete("/api/personas/Romeo", headers=headers)
    still_there = client.get("/api/personas/Romeo").status_code
    retried = client.delete("/api/personas/Romeo", headers=headers)

    assert failed.status_code == 503 and still_there == 200
    assert retried.status_code == 200
    assert client.get("/api/personas/Romeo").status_code == 404
