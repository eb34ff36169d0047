"""Builds started from the pages: the pause to confirm whose replies to learn, the
report at the end, and training again from the owner's page."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from serving.jobs.report import REPORT_DIR, REPORT_FILE
from serving.models import Job, utcnow
from serving.personas import find_persona
from serving.storage import LocalStorage
from tests.serving.api_helpers import small_export_field
from tests.serving.pages.browsing import asking, start_on_page, unlock, wait_for_build
from tests.serving.pages.conftest import Site


def _stop(site: Site, client: FlaskClient, name: str, token: str) -> None:
    """Delete a persona mid-build and wait until its job has let go."""
    with site.services.db.session() as session:
        persona = find_persona(session, name)
        assert persona is not None
        job_ids = [job.id for job in persona.jobs]
    client.delete(f"/api/personas/{name}", headers={"Authorization": f"Bearer {token}"})
    for job_id in job_ids:
        site.app.extensions["mimical"].runner.futures[job_id].result(timeout=60)


def test_a_page_build_waits_for_the_owner_and_learns_the_sender_picked(
    site: Site, client: FlaskClient
) -> None:
    created = start_on_page(client, "Montague")

    waiting = wait_for_build(client, "Montague", asking)
    corpus = waiting["details"]["corpus"]
    picked = client.post(
        "/personas/Montague/owner",
        json={"sender": "Juliet"},
        headers={"X-CSRF-Token": created["csrf"]},
    )
    rebuilt = wait_for_build(
        client,
        "Montague",
        lambda job: job["details"]["corpus"].get("persona") == "Juliet",
    )
    late = client.post(
        "/personas/Montague/owner",
        json={"sender": "Romeo"},
        headers={"X-CSRF-Token": created["csrf"]},
    )
    _stop(site, client, "Montague", created["manage_token"])

    assert waiting["details"]["import"]["messages"] == 144
    assert waiting["details"]["import"]["threads"] == 3
    assert (corpus["guessed"], corpus["persona"], corpus["pairs"]) == ("Romeo",) * 2 + (
        72,
    )
    assert [c["sender"] for c in corpus["candidates"]][0] == "Romeo"
    assert {"Juliet", "Mercutio", "Benvolio"} < {
        c["sender"] for c in corpus["candidates"]
    }
    assert picked.status_code == 200
    assert rebuilt["details"]["corpus"]["pairs"] == 24
    assert "candidates" not in rebuilt["details"]["corpus"]
    assert late.status_code == 409 and late.json["code"] == "owner_choice"


def test_nobody_answering_trains_on_the_guess_and_ends_with_a_report(
    site: Site, client: FlaskClient
) -> None:
    created = start_on_page(client, "Capulet")
    wait_for_build(client, "Capulet", asking)
    with site.services.db.session() as session:  # five minutes pass
        job = session.get(Job, created["job"])
        assert job is not None
        past = (utcnow() - timedelta(seconds=1)).isoformat()
        job.details = {
            **job.details,
            "corpus": {**job.details["corpus"], "confirm_by": past},
        }

    done = wait_for_build(client, "Capulet", lambda job: job["state"] == "succeeded")
    shown = client.get("/api/personas/Capulet").json["persona"]
    page = client.get("/personas/Capulet/manage").get_data(as_text=True)

    assert done["details"]["corpus"]["persona"] == "Romeo"
    assert "candidates" not in done["details"]["corpus"]
    assert "guessed" not in done["details"]["corpus"]
    assert len(done["details"]["training"]["losses"]) >= 1
    assert shown["status"] == "ready"
    assert {"reply_bpc", "baseline_bpc", "val_bpc"} <= set(shown["figures"])
    assert page.count('data-chart="') == 4
    key = site.persona("Capulet").artifact_key
    storage = site.services.storage
    assert isinstance(storage, LocalStorage)
    assert (storage.local_path(f"{key}/{REPORT_DIR}") / REPORT_FILE).is_file()


def test_training_again_keeps_the_persona_chatting_until_the_new_model_is_in(
    site: Site, client: FlaskClient
) -> None:
    csrf = unlock(client, "Rosaline", site.add_persona("Rosaline"))
    old_key = site.persona("Rosaline").artifact_key

    no_export = client.post(
        "/personas/Rosaline/retrain", data={"csrf_token": csrf, "minutes": "0.1"}
    )
    queued = client.post(
        "/personas/Rosaline/retrain",
        data={
            "csrf_token": csrf,
            "minutes": "0.1",
            "export": small_export_field(),
        },
        content_type="multipart/form-data",
    )
    watching = client.get("/create").get_data(as_text=True)
    meanwhile = client.get("/api/personas/Rosaline").json["persona"]["status"]
    busy = client.post(
        "/personas/Rosaline/retrain", data={"csrf_token": csrf, "minutes": "1"}
    )
    done = wait_for_build(client, "Rosaline", lambda job: job["state"] == "succeeded")

    assert no_export.status_code == 400
    assert "upload it again" in no_export.get_data(as_text=True)
    assert queued.status_code == 303 and queued.headers["Location"].endswith("/create")
    assert 'data-watch="Rosaline"' in watching
    assert meanwhile == "ready"
    assert busy.status_code == 409
    assert done["details"]["corpus"]["persona"] == "Romeo"
    assert site.persona("Rosaline").artifact_key != old_key
    assert not site.services.storage.exists(str(old_key))
