"""A server killed in the middle of training: the next one resumes the job.

`mimical serve` runs as a real process (embedded configuration), takes an upload
over HTTP and is SIGKILLed once a checkpoint is stored; the app started next queues
the job again and it ends ready, continuing from the checkpoint.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from serving.app import create_app, shutdown_app
from serving.config import Config
from tests.servers import free_port
from tests.serving.api_helpers import FAST_TRAIN, wait_for_job
from tests.serving.worker_process import MIMICAL

pytestmark = pytest.mark.slow


def _serve(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMICAL_")}
    env.update(
        MIMICAL_HOME=str(home),
        MIMICAL_SECRET_KEY="test-secret-key-of-at-least-32-chars",
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(MIMICAL), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _get(url: str) -> dict | None:  # type: ignore[type-arg]
    try:
        return requests.get(url, timeout=2).json()
    except requests.ConnectionError:
        return None


def test_a_job_cut_off_by_a_server_crash_resumes_at_the_next_start(
    config: Config, home: Path, tmp_path: Path, upload: bytes
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(home, port, tmp_path / "serve.log")
    try:
        deadline = time.monotonic() + 60
        while _get(f"{base}/healthz") is None:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.2)
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

    app = create_app(config)
    try:
        client = app.test_client()
        assert client.get(f"/api/jobs/{job_id}").json["job"]["attempts"] == 1

        job = wait_for_job(client, job_id, timeout_s=120)

        assert job["state"] == "succeeded", job["error"]
        assert job["attempts"] == 2
        figures = client.get("/api/personas/Romeo").json["persona"]["figures"]
        assert figures["resumed_from_step"] > 0
    finally:
        shutdown_app(app, wait=True)
