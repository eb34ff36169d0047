"""A build waiting for its owner survives the server: killed while it waits, the
next server waits again until the same moment, and the owner's pick still counts.
(`mimical serve`, which `make run` starts, prints where /chat and /create are.)
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from serving.app import create_app, shutdown_app
from serving.config import Config
from tests.servers import free_port
from tests.serving.api_helpers import small_export_zip
from tests.serving.pages.browsing import asking, csrf_from, wait_for_build
from tests.serving.pages.conftest import TRAIN_MINUTES
from tests.serving.server_process import (
    SERVE_SECRET_KEY,
    mimical_serve,
    wait_until_serving,
)

pytestmark = pytest.mark.slow


def test_a_build_waiting_for_its_owner_survives_a_server_crash(
    home: Path, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    server = mimical_serve(home, int(url.rsplit(":", 1)[1]), tmp_path / "serve.log")
    browser = requests.Session()
    try:
        wait_until_serving(url, server, tmp_path / "serve.log")
        printed = (tmp_path / "serve.log").read_text()
        csrf = csrf_from(browser.get(f"{url}/create", timeout=30).text)
        created = browser.post(
            f"{url}/create",
            data={"name": "Verona", "public": "true", "minutes": str(TRAIN_MINUTES)},
            files={"export": ("export.zip", small_export_zip())},
            headers={"X-CSRF-Token": csrf},
            timeout=60,
        )
        assert created.status_code == 202, created.text
        deadline = time.monotonic() + 90
        while True:
            job = browser.get(f"{url}/personas/Verona/build", timeout=10)
            if asking(job.json()["job"]):
                break
            assert time.monotonic() < deadline, job.text
            time.sleep(0.2)
        first_wait = job.json()["job"]["details"]["corpus"]["confirm_by"]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    app = create_app(Config(home=home, secret_key=SERVE_SECRET_KEY))
    try:
        client = app.test_client()
        for cookie in browser.cookies:
            client.set_cookie(cookie.name, cookie.value or "")

        again = wait_for_build(
            client, "Verona", lambda job: asking(job) and job["attempts"] == 2
        )
        picked = client.post(
            "/personas/Verona/owner",
            json={"sender": "Mercutio"},
            headers={"X-CSRF-Token": csrf},
        )
        rebuilt = wait_for_build(
            client,
            "Verona",
            lambda job: job["details"]["corpus"].get("persona") == "Mercutio",
        )
        client.delete(
            "/api/personas/Verona",
            headers={"Authorization": f"Bearer {created.json()['manage_token']}"},
        )
        app.extensions["mimical"].runner.futures[created.json()["job"]].result(60)
    finally:
        shutdown_app(app, wait=True)

    assert f"Chat in your browser: {url}/chat" in printed
    assert f"Make your own persona: {url}/create" in printed
    assert again["attempts"] == 2
    assert again["details"]["corpus"]["confirm_by"] == first_wait
    assert picked.status_code == 200
    assert rebuilt["details"]["corpus"]["pairs"] == 24
