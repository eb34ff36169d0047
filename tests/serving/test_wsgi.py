"""The production entry point: gunicorn serves `serving.wsgi:app`, logs are JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.servers import free_port

GUNICORN = Path(sys.executable).parent / "gunicorn"


def test_gunicorn_serves_the_app_with_json_logs(home: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMICAL_")}
    env.update(MIMICAL_HOME=str(home), MIMICAL_SECRET_KEY="test-secret-key")
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "serving.wsgi:app"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):  # still booting
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        listed = requests.get(f"http://127.0.0.1:{port}/api/personas", timeout=5)
        missing = requests.get(f"http://127.0.0.1:{port}/api/personas/x", timeout=5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)

    assert health.json() == {"status": "ok", "database": "ok"}
    assert listed.json() == {"personas": []}
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_persona"
    assert (home / "mimical.db").exists()
    ours = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert all(json.loads(line)["level"] for line in ours)
