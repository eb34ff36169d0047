"""Fixtures every test package shares: a fresh MIMICAL_HOME and a tiny trained model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from serving.config import Config
from serving.services import Services, open_services

# Session fixtures that start PostgreSQL, Redis and SeaweedFS (S3) for real, and
# headless Chromium for the tests that browse.
pytest_plugins = ["tests.servers", "tests.browser"]

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EXPORT = REPO / "serving" / "demo" / "sample_export"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private MIMICAL_HOME; the environment points at it for subprocesses too."""
    folder = tmp_path / "home"
    for name in list(__import__("os").environ):
        if name.startswith(("MIMICAL_", "FB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MIMICAL_HOME", str(folder))
    return folder


@pytest.fixture
def config(home: Path) -> Config:
    """The embedded default configuration under the test's home."""
    return Config(home=home, secret_key="test-secret-key-of-at-least-32-chars")


@pytest.fixture
def services(config: Config) -> Iterator[Services]:
    """Database (SQLite), storage (folder) and config for one test."""
    built = open_services(config)
    yield built
    built.db.dispose()
