"""Fixtures for the owner's pages: an app of their own, served on 127.0.0.1.

One site per test module, on SQLite and a local folder, with short training
budgets; personas that tests change or delete are made for that test alone.
Helpers speak to the pages as a browser does: a CSRF token from a page, the
owner's cookie from unlocking with the manage token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.config import Config
from serving.models import Persona, PersonaStatus
from serving.personas import create_persona, find_persona
from serving.services import Services
from serving.storage import new_artifact_key
from tests.serving.api_helpers import poll_job, small_export_field
from tests.serving.channels.tiny_persona import tiny_artifact_with_report
from tests.serving.served import served_app

# A build's training budget here: long enough for a few points of loss curve.
TRAIN_MINUTES = 0.15
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


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
    config = Config(home=home, secret_key="pages-secret", train_minutes=TRAIN_MINUTES)
    with served_app(config) as (app, url):
        yield Site(app, app.extensions["mimical"].services, url, artifact)


@pytest.fixture
def client(site: Site) -> FlaskClient:
    """A browser without cookies, speaking to the site's app."""
    return site.app.test_client()


def csrf_from(html: str) -> str:
    """The CSRF token in a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def csrf_of(client: FlaskClient, path: str = "/create") -> str:
    """The CSRF token a page gives this client (and its session cookie)."""
    return csrf_from(client.get(path).get_data(as_text=True))


def unlock(client: FlaskClient, name: str, token: str) -> str:
    """Unlock the owner's page with the manage token; the CSRF token to go on."""
    csrf = csrf_of(client, f"/personas/{name}/manage")
    response = client.post(
        f"/personas/{name}/unlock", data={"token": token, "csrf_token": csrf}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return csrf


Check = Callable[[dict[str, Any]], bool]  # a condition on a build's job


def start_on_page(client: FlaskClient, name: str) -> dict[str, Any]:
    """Create a persona as the /create page does; the 202 answer."""
    csrf = csrf_of(client)
    response = client.post(
        "/create",
        data={
            "name": name,
            "public": "true",
            "export": small_export_field(),
        },
        headers={"X-CSRF-Token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.json
    return {**response.json, "csrf": csrf}


def wait_for_build(
    client: FlaskClient, name: str, check: Check, timeout_s: float = 120
) -> dict[str, Any]:
    """Poll the owner's build view until `check(job)`; that job."""

    def read() -> dict[str, Any]:
        response = client.get(f"/personas/{name}/build")
        assert response.status_code == 200, response.json
        return dict(response.json["job"])

    job = poll_job(read, lambda job: check(job) or job["state"] == "failed", timeout_s)
    assert check(job), job["error"]
    return job


def asking(job: dict[str, Any]) -> bool:
    """Whether a build waits for its owner to say whose replies to learn."""
    return job["stage"] == "confirm owner"
