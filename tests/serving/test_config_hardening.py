"""Start-up and files: one secret key for processes starting together, private files,
and one set of metrics for all of gunicorn's workers."""

from __future__ import annotations

import multiprocessing
import re
import socket
import stat
import time
from pathlib import Path

import pytest
import requests

from serving.config import Config, ConfigError
from serving.services import open_services
from serving.storage import LocalStorage
from tests.serving.server_process import ServerProcess, server_env

ROUNDS, PROCESSES = 20, 4


def _key_of(home: str) -> str:
    return Config(home=Path(home)).with_secret_key().secret_key


def test_processes_starting_together_all_read_one_whole_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        for round_ in range(ROUNDS):
            home = str(tmp_path / str(round_))
            keys = pool.map(_key_of, [home] * PROCESSES)
            assert len(set(keys)) == 1 and len(keys[0]) >= 32


@pytest.mark.parametrize(
    ("stored", "given"),
    [
        ("", ""),  # an empty key file
        ("short", ""),  # a key file someone wrote by hand
        (None, "only-twenty-chars-ok"),  # MIMICAL_SECRET_KEY too short
    ],
)
def test_short_or_empty_secret_keys_are_refused(
    home: Path, stored: str | None, given: str
) -> None:
    if stored is not None:
        home.mkdir(parents=True)
        (home / "secret_key").write_text(stored)

    with pytest.raises(ConfigError, match="at least 32"):
        Config(home=home, secret_key=given).with_secret_key()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_readable_by_their_owner_only(
    config: Config, tmp_path: Path
) -> None:
    services = open_services(config)
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights")
    services.storage.put_tree(model, "personas/1/abc")
    services.db.dispose()

    assert isinstance(services.storage, LocalStorage)
    stored = services.storage.local_path("personas/1/abc")
    assert _mode(config.home) == 0o700
    assert _mode(config.home / "mimical.db") == 0o600
    assert _mode(stored) == 0o700
    assert _mode(stored / "model.safetensors") == 0o600


def _stall(port: int) -> socket.socket:
    """Occupy one sync worker: a request whose body never finishes arriving."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        b"POST /getModel HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nConnection: close\r\n\r\n{"
    )
    time.sleep(0.5)  # let a worker take it and block reading the body
    return sock


def _finish(sock: socket.socket) -> None:
    sock.sendall(b"}")
    sock.recv(4096)
    sock.close()


@pytest.mark.slow
def test_metrics_count_the_requests_of_every_gunicorn_worker(
    home: Path, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = server_env(
        MIMICAL_HOME=str(home),
        MIMICAL_SECRET_KEY="test-secret-key-of-at-least-32-chars",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    server = ServerProcess(env, tmp_path / "gunicorn.log", workers=2)
    try:
        server.wait_ready()
        first = _stall(server.port)  # worker A is busy: B serves the 20 requests
        for _ in range(20):  # (B may still be starting: ready means one worker is)
            requests.get(f"{server.url}/api/personas", timeout=30)
        second = _stall(server.port)  # now B is busy ...
        _finish(first)  # ... and A, which served none of them, answers the scrape
        scrape = requests.get(f"{server.url}/metrics", timeout=30).text
        _finish(second)
    finally:
        server.stop()

    pattern = re.compile(
        r'^mimical_http_requests_total\{endpoint="personas.index",'
        r'method="GET",status="200"\} (\S+)$',
        re.M,
    )
    found = pattern.search(scrape)
    assert found is not None and float(found.group(1)) == 20.0
