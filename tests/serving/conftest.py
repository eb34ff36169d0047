"""Fixtures for the API tests: the embedded app (SQLite, folder, threads), a client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.app import create_app, shutdown_app
from serving.config import Config
from tests.serving.api_helpers import export_zip


@pytest.fixture(scope="session")
def upload() -> bytes:
    """The sample export, zipped as an upload."""
    return export_zip()


@pytest.fixture(params=["sqlite", "postgresql"])
def app_config(request: pytest.FixtureRequest, config: Config) -> Config:
    """The embedded configuration, on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        return config
    return replace(config, database_url=request.getfixturevalue("postgres_url"))


@pytest.fixture
def app(app_config: Config) -> Iterator[Flask]:
    """The app with a local folder and a job thread, on either database."""
    built = create_app(app_config)
    yield built
    shutdown_app(built, wait=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the embedded app."""
    return app.test_client()
