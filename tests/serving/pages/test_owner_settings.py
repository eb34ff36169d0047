"""The owner's page forms: each change is seen where it matters (the chat engine,
the widget's allow-list, the API keys), and mistakes come back as a page."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient

from serving.channels.web.sessions import store_exchange
from serving.models import ApiKey
from tests.serving.chatting import said
from tests.serving.pages.browsing import unlock
from tests.serving.pages.conftest import Site


def _engine(site: Site):  # type: ignore[no-untyped-def]
    return site.app.extensions["mimical"].engine


def test_switching_public_off_takes_the_persona_out_of_show_all(
    site: Site, client: FlaskClient
) -> None:
    csrf = unlock(client, "Mercutio", site.add_persona("Mercutio"))
    assert "Mercutio" in " ".join(said(_engine(site), "u-public", "%show all"))

    saved = client.post(
        "/personas/Mercutio/settings",
        data={"csrf_token": csrf, "store_conversations": "on"},
    )
    page = client.get(saved.headers["Location"]).get_data(as_text=True)

    assert saved.status_code == 303
    assert "Settings saved." in page
    assert "Mercutio" not in " ".join(said(_engine(site), "u-public", "%show all"))
    persona = site.persona("Mercutio")
    assert (persona.public, persona.store_conversations) == (False, True)


def test_a_password_set_on_the_page_is_asked_for_in_the_chat(
    site: Site, client: FlaskClient
) -> None:
    csrf = unlock(client, "Sampson", site.add_persona("Sampson"))

    client.post(
        "/personas/Sampson/password", data={"csrf_token": csrf, "password": "bite"}
    )
    asked = said(_engine(site), "u-password", "Sampson")
    client.post("/personas/Sampson/password", data={"csrf_token": csrf, "remove": "on"})
    open_again = said(_engine(site), "u-password-2", "Sampson")
    empty = client.post("/personas/Sampson/password", data={"csrf_token": csrf})

    assert asked[-1] == "This persona is password protected. Please enter a password."
    assert open_again[-1].startswith("You are now chatting with Sampson")
    assert empty.status_code == 400
    assert "type a password" in empty.get_data(as_text=True)


def test_widget_sites_are_checked_and_the_script_tag_is_shown(
    site: Site, client: FlaskClient
) -> None:
    csrf = unlock(client, "Gregory", site.add_persona("Gregory"))

    saved = client.post(
        "/personas/Gregory/origins",
        data={"csrf_token": csrf, "origins": "https://Shop.Example:443/\n\n"},
    )
    bad = client.post(
        "/personas/Gregory/origins",
        data={"csrf_token": csrf, "origins": "https://shop.example/path"},
    )
    page = client.get("/personas/Gregory/manage").get_data(as_text=True)

    assert saved.status_code == 303
    assert bad.status_code == 400 and "has a path" in bad.get_data(as_text=True)
    assert ">https://shop.example</textarea>" in page
    assert 'data-persona="Gregory" defer&gt;&lt;/script&gt;' in page
    assert "/static/widget.js" in page


def test_an_api_key_is_shown_once_then_listed_and_revoked(
    site: Site, client: FlaskClient
) -> None:
    csrf = unlock(client, "Abram", site.add_persona("Abram"))

    made = client.post(
        "/personas/Abram/keys", data={"csrf_token": csrf, "label": "bot"}
    )
    key = re.search(r'id="new-key"[^>]*>(mimical-[\w-]+)<', made.get_data(as_text=True))
    later = client.get("/personas/Abram/manage").get_data(as_text=True)
    with site.services.db.session() as session:
        key_id = session.query(ApiKey).filter_by(label="bot").one().id
    revoked = client.post(
        f"/personas/Abram/keys/{key_id}/revoke", data={"csrf_token": csrf}
    )

    assert made.status_code == 201 and key is not None
    assert made.headers["Cache-Control"] == "no-store"
    assert key.group(1) not in later and key.group(1)[:14] in later
    assert revoked.status_code == 303
    with site.services.db.session() as session:
        assert session.query(ApiKey).filter_by(label="bot").count() == 0


def test_kept_conversations_download_and_forget(
    site: Site, client: FlaskClient
) -> None:
    csrf = unlock(client, "Peter", site.add_persona("Peter"))
    persona_id = site.persona("Peter").id
    store_exchange(site.services.db, persona_id, "c1", "hello there", ["hi!"])

    download = client.get("/personas/Peter/conversations.jsonl")
    forgot = client.post(
        "/personas/Peter/conversations/forget", data={"csrf_token": csrf}
    )
    page = client.get("/personas/Peter/manage").get_data(as_text=True)

    assert download.mimetype == "application/x-ndjson"
    lines = download.get_data(as_text=True).splitlines()
    assert [json.loads(line).get("text") for line in lines[1:]] == [
        "hello there",
        "hi!",
    ]
    assert forgot.status_code == 303
    assert "0 web chat messages kept." in page
