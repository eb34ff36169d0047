"""`gunicorn serving.wsgi:app` in a process of its own, as production runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.servers import free_port

GUNICORN = Path(sys.executable).parent / "gunicorn"


def server_env(**settings: str) -> dict[str, str]:
    """This environment without MIMICAL_/FB_ variables, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIMICAL_", "FB_"))}
    env.update(settings)
    return env


class ServerProcess:
    """A gunicorn server on a free port of 127.0.0.1, in its own process group."""

    def __init__(
        self, env: dict[str, str], log: Path, threads: int = 1, workers: int = 1
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        worker = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else []
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--bind", f"127.0.0.1:{self.port}", "--workers",
                 str(workers), *worker, "serving.wsgi:app"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout_s: float = 90.0) -> requests.Response:
        """Block until /healthz answers; that answer."""
        deadline = time.monotonic() + timeout_s
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                return requests.get(f"{self.url}/healthz", timeout=2)
            except (requests.ConnectionError, requests.Timeout):  # still booting
                assert time.monotonic() < deadline, self.log.read_text()
                time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM the server's process group and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
