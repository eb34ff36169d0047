"""Speaking to the owner's pages as a browser does, in tests without one: the
CSRF token from a page, the owner's cookie from unlocking with the manage
token, a persona started as /create starts it, its build polled until ready."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.serving.api_helpers import poll_job, small_export_field

_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


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
