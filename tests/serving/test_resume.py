"""A server killed in the middle of training: the next one resumes the job.

`mimical serve` runs as a real process (embedded configuration), takes an upload
over HTTP and is SIGKILLed once a checkpoint is stored; the app started next queues
the job again and it ends ready, continuing from the checkpoint.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests

from serving.app import create_app, shutdown_app
from serving.config import Config
from serving.db import Database
from serving.models import Job
from tests.servers import free_port
from tests.serving.api_helpers import FAST_TRAIN, wait_for_job
from tests.serving.server_process import mimical_serve, wait_until_serving

pytestmark = pytest.mark.slow


def test_a_job_cut_off_by_a_server_crash_resumes_at_the_next_start(
    config: Config, home: Path, tmp_path: Path, upload: bytes
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = mimical_serve(home, port, tmp_path / "serve.log")
    try:
        wait_until_serving(base, server, tmp_path / "serve.log")
        deadline = time.monotonic() + 60
        train = {**FAST_TRAIN, "checkpoint_seconds": 1}
        del train["max_steps"]
        created = requests.post(
            f"{base}/api/personas",
            data={
                "name": "Romeo",
                "public": "true",
                "me": "Romeo",
                "minutes": "0.2",
                "train": json.dumps(train),
            },
            files={"export": ("export.zip", upload)},
            timeout=30,
        )
        assert created.status_code == 202, created.text
        job_id = created.json()["job"]["id"]
        checkpoints = home / "artifacts" / "jobs" / str(job_id) / "checkpoints"
        while not checkpoints.exists() or not any(checkpoints.iterdir()):
            assert time.monotonic() < deadline + 60, "no checkpoint was stored"
            time.sleep(0.2)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    # Read before the next app starts: its runner takes the job up at once.
    database = Database(config.database_url)
    with database.session() as session:
        assert session.get(Job, job_id).attempts == 1  # type: ignore[union-attr]
    database.dispose()
    app = create_app(config)
    try:
        client = app.test_client()

        job = wait_for_job(client, job_id, timeout_s=120)

        assert job["state"] == "succeeded", job["error"]
        assert job["attempts"] == 2
        figures = client.get("/api/personas/Romeo").json["persona"]["figures"]
        assert figures["resumed_from_step"] > 0
    finally:
        shutdown_app(app, wait=True)
