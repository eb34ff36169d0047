"""Who may manage a persona on its pages: the manage token once, then the cookie;
and no page changes anything without its CSRF token."""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient

from serving.pages.grants import COOKIE
from tests.serving.pages.browsing import csrf_of, unlock
from tests.serving.pages.conftest import Site

OWNER_ONLY = (
    "/personas/{name}/build",
    "/personas/{name}/delete",
    "/personas/{name}/report/bits.png",
    "/personas/{name}/conversations.jsonl",
)


def _owner_cookie(response) -> str:  # type: ignore[no-untyped-def]
    found = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert found, "no owner's cookie was set"
    return found[0]


def test_the_owners_page_stays_locked_without_the_right_token(
    site: Site, client: FlaskClient
) -> None:
    site.add_persona("Tybalt")
    others_token = site.add_persona("Paris")

    locked = client.get("/personas/Tybalt/manage")
    csrf = csrf_of(client, "/personas/Tybalt/manage")
    missing = client.post("/personas/Tybalt/unlock", data={"csrf_token": csrf})
    wrong = client.post(
        "/personas/Tybalt/unlock", data={"token": "not-it", "csrf_token": csrf}
    )
    another = client.post(
        "/personas/Tybalt/unlock", data={"token": others_token, "csrf_token": csrf}
    )

    assert locked.status_code == 401
    assert 'name="token"' in locked.get_data(as_text=True)
    assert "Does it sound like you?" not in locked.get_data(as_text=True)
    for refused in (missing, wrong, another):
        assert refused.status_code == 403
        assert "not the manage token" in refused.get_data(as_text=True)
        assert not refused.headers.getlist("Set-Cookie")
    for path in OWNER_ONLY:
        assert client.get(path.format(name="Tybalt")).status_code == 401, path
    assert client.get("/personas/Nobody/manage").status_code == 404


def test_the_token_opens_the_page_once_and_the_cookie_never_holds_it(
    site: Site, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = site.add_persona("Escalus")
    csrf = csrf_of(client, "/personas/Escalus/manage")

    response = client.post(
        "/personas/Escalus/unlock", data={"token": token, "csrf_token": csrf}
    )
    cookie = _owner_cookie(response)
    page = client.get("/personas/Escalus/manage")
    on_https = client.post(
        "/personas/Escalus/unlock",
        data={"token": token, "csrf_token": csrf},
        base_url="https://localhost",
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/personas/Escalus/manage")
    assert token not in response.headers["Location"]
    assert re.search(r"; HttpOnly", cookie) and "SameSite=Strict" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie
    assert token not in cookie
    assert "Secure" in _owner_cookie(on_https)
    assert page.status_code == 200
    assert "Does it sound like you?" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert token not in caplog.text
    for path in OWNER_ONLY:
        assert client.get(path.format(name="Escalus")).status_code == 200, path


def test_a_forged_or_stale_cookie_opens_nothing(
    site: Site, client: FlaskClient
) -> None:
    token = site.add_persona("Friar")
    unlock(client, "Friar", token)
    value = client.get_cookie(COOKIE)
    assert value is not None

    client.set_cookie(COOKIE, value.value[:-4] + "AAAA")
    forged = client.get("/personas/Friar/manage")
    client.set_cookie(COOKIE, value.value)
    deleted = client.delete(
        "/api/personas/Friar", headers={"Authorization": f"Bearer {token}"}
    )
    site.add_persona("Friar")  # the same name, another persona
    stale = client.get("/personas/Friar/manage")

    assert forged.status_code == 401
    assert deleted.status_code == 200
    assert stale.status_code == 401


def test_locking_forgets_this_browsers_right(site: Site, client: FlaskClient) -> None:
    token = site.add_persona("Balthasar")
    csrf = unlock(client, "Balthasar", token)

    locked = client.post("/personas/Balthasar/lock", data={"csrf_token": csrf})

    assert locked.status_code == 303
    assert client.get("/personas/Balthasar/manage").status_code == 401


def test_no_page_changes_anything_without_its_csrf_token(
    site: Site, client: FlaskClient
) -> None:
    token = site.add_persona("Lady")
    csrf = unlock(client, "Lady", token)
    posts = sorted(
        rule.rule.replace("<name>", "Lady").replace("<int:key_id>", "1")
        for rule in site.app.url_map.iter_rules()
        if "POST" in (rule.methods or ())
        and rule.endpoint.split(".")[0] in ("create", "manage", "settings")
    )
    assert len(posts) >= 12

    for path in posts:
        without = client.post(path, data={"public": "on"})
        forged = client.post(path, data={"public": "on", "csrf_token": "x" * 43})
        elsewhere = client.post(
            path,
            data={"public": "on", "csrf_token": csrf},
            headers={"Origin": "https://evil.example"},
        )
        for refused in (without, forged, elsewhere):
            assert refused.status_code == 403, (path, refused.status_code)

    page = client.get("/personas/Lady/manage")
    assert page.status_code == 200  # not deleted, not locked
    assert site.persona("Lady").public is True
