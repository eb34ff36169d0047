"""The production entry point: gunicorn serves `serving.wsgi:app`, logs are JSON."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.serving.server_process import ServerProcess, server_env


def test_gunicorn_serves_the_app_with_json_logs(home: Path, tmp_path: Path) -> None:
    env = server_env(
        MIMICAL_HOME=str(home),
        MIMICAL_SECRET_KEY="test-secret-key-of-at-least-32-chars",
    )
    server = ServerProcess(env, tmp_path / "gunicorn.log")
    try:
        health = server.wait_ready()
        listed = requests.get(f"{server.url}/api/personas", timeout=5)
        missing = requests.get(f"{server.url}/api/personas/x", timeout=5)
    finally:
        server.stop()

    assert health.json() == {"status": "ok", "database": "ok"}
    assert listed.json() == {"personas": []}
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_persona"
    assert (home / "mimical.db").exists()
    ours = [
        line for line in server.log.read_text().splitlines() if line.startswith("{")
    ]
    assert all(json.loads(line)["level"] for line in ours)
