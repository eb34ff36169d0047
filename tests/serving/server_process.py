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
MIMICAL = Path(sys.executable).parent / "mimical"


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
        return wait_until_serving(self.url, self.process, self.log, timeout_s)

    def stop(self) -> None:
        """SIGTERM the server's process group and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


# The secret key `mimical_serve` gives the server (an app of a test may share it).
SERVE_SECRET_KEY = "test-secret-key-of-at-least-32-chars"


def mimical_serve(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`mimical serve` on the embedded configuration under `home`: one process,
    jobs in its threads, so a SIGKILL leaves no orphan to outlive it."""
    env = server_env(
        MIMICAL_HOME=str(home),
        MIMICAL_SECRET_KEY=SERVE_SECRET_KEY,
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(MIMICAL), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_serving(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 90.0
) -> requests.Response:
    """Block until the server at `url` answers /healthz (it may be booting)."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.poll() is None, log.read_text()
        try:
            return requests.get(f"{url}/healthz", timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
