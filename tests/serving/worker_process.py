"""A `mimical worker` subprocess for the scaled-configuration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from serving.config import Config
from tests.servers import S3Server

MIMICAL = Path(sys.executable).parent / "mimical"


def worker_env(config: Config, s3: S3Server, home: Path) -> dict[str, str]:
    """The environment of a worker on another machine: same DB, S3 and broker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIMICAL_", "FB_"))}
    env.update(
        MIMICAL_HOME=str(home),
        MIMICAL_DATABASE_URL=config.database_url,
        MIMICAL_STORAGE_URL=config.storage_url,
        MIMICAL_S3_ENDPOINT_URL=config.s3_endpoint_url or "",
        MIMICAL_JOBS="celery",
        MIMICAL_BROKER_URL=config.broker_url or "",
        MIMICAL_SECRET_KEY=config.secret_key,
        MIMICAL_LOG_FORMAT="json",
        AWS_ACCESS_KEY_ID=s3.access_key,
        AWS_SECRET_ACCESS_KEY=s3.secret_key,
        AWS_DEFAULT_REGION="us-east-1",
    )
    return env


class WorkerProcess:
    """`mimical worker --concurrency 1` in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(MIMICAL), "worker", "--concurrency", "1"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Block until Celery says the worker is ready."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.log.read_text()[-3000:]}")
            if b" ready." in self.log.read_bytes():
                return
            time.sleep(0.2)
        raise AssertionError(f"worker not ready:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children) at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """A warm shutdown, then SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
