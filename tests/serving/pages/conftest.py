"""Fixtures for the owner's pages: an app of their own, served on 127.0.0.1.

One site per test module, on SQLite and a local folder, with short training
budgets; personas that tests change or delete are made for that test alone.
`browsing` has the helpers that speak to the pages as a browser does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.config import Config
from serving.models import Persona, PersonaStatus
from serving.personas import create_persona, find_persona
from serving.services import Services
from serving.storage import new_artifact_key
from tests.serving.channels.tiny_persona import tiny_artifact_with_report
from tests.serving.served import served_app

# A build's training budget here: long enough for a few points of loss curve.
TRAIN_MINUTES = 0.15


@dataclass
class Site:
    """The served app of the owner's pages."""

    app: Flask
    services: Services
    url: str
    artifact: Path

    def persona(self, name: str) -> Persona:
        """The persona called `name` as stored now (detached from its session)."""
        with self.services.db.session() as session:
            persona = find_persona(session, name)
            assert persona is not None, f"no persona {name}"
            return persona

    def add_persona(self, name: str, public: bool = True) -> str:
        """A ready persona with the tiny model and its report; its manage token."""
        with self.services.db.session() as session:
            persona, token = create_persona(session, name, public, None)
            key = new_artifact_key(persona.id)
            self.services.storage.put_tree(self.artifact, key)
            persona.artifact_key, persona.status = key, PersonaStatus.READY
        return token


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app with its own home, serving until the module's tests end."""
    artifact = tiny_artifact_with_report(tmp_path_factory.mktemp("tiny"))
    home = tmp_path_factory.mktemp("pages-home")
    config = Config(
        home=home,
        secret_key="pages-secret-key-of-at-least-32-chars",
        train_minutes=TRAIN_MINUTES,
    )
    with served_app(config) as (app, url):
        yield Site(app, app.extensions["mimical"].services, url, artifact)


@pytest.fixture
def client(site: Site) -> FlaskClient:
    """A browser without cookies, speaking to the site's app."""
    return site.app.test_client()
