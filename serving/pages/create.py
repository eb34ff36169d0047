"""`/create`: make a persona from an export in the browser and watch it being built.

The page uploads the export to `POST /create` (the API's own create request, so
the same fields and limits), which answers with the manage token, once, and
gives this browser the owner's cookie. The page then polls the build, which only
the owner may see: the import's counts, whose replies the corpus holds (with the
pause to pick another sender), the live loss curve and the time left. A reload,
or coming back after closing the tab, finds the build again through the cookie.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy import select

from serving.api.create import start_build
from serving.api.errors import BadRequest
from serving.api.state import app_state
from serving.api.views import job_json, persona_json
from serving.jobs.owner import CONFIRM_STAGE, choose_owner
from serving.models import Job, Persona
from serving.owner_actions import UNFINISHED, latest_job
from serving.pages.common import grants, owned_here, page
from serving.pages.csrf import check_csrf

bp = Blueprint("create", __name__)
MINUTE_CHOICES = (2.0, 5.0, 10.0, 20.0)  # besides the server's default budget


@bp.get("/create")
def create_page() -> Response:
    """The form, or the build this browser started last if it is still going."""
    services = app_state().services
    mine: list[dict[str, Any]] = []
    watching = ""
    ids = grants().persona_ids(request)
    with services.db.session() as session:
        rows = (
            session.scalars(select(Persona).where(Persona.id.in_(ids))) if ids else []
        )
        by_id = {p.id: p for p in rows if grants().holds(request, p)}
        for persona in (by_id[i] for i in ids if i in by_id):
            job = latest_job(session, persona)
            building = job is not None and job.state in UNFINISHED
            if building and not watching:
                watching = persona.name
            mine.append({"name": persona.name, "status": persona.status.value})
    return page(
        "pages/create.html",
        watching=watching,
        mine=mine,
        max_upload_mb=services.config.max_upload_mb,
        minutes=services.config.train_minutes,
        minute_choices=sorted({services.config.train_minutes, *MINUTE_CHOICES}),
    )


@bp.post("/create")
def create() -> tuple[Response, int]:
    """Register the persona and queue its build; the manage token, this once."""
    check_csrf()
    if request.mimetype != "multipart/form-data":  # no cookie-scraping from here
        raise BadRequest("upload an export as multipart/form-data")
    app = app_state()
    registration = start_build(app, request, confirm_owner=True)
    with app.services.db.session() as session:
        persona = session.get(Persona, registration.persona_id)
        assert persona is not None
        response = jsonify(
            persona=persona.name,
            job=registration.job_id,
            manage_token=registration.manage_token,
            build_url=url_for("create.build", name=persona.name),
            manage_url=url_for("manage.manage_page", name=persona.name),
        )
        grants().grant(request, response, persona)
    response.headers["Cache-Control"] = "no-store"
    return response, 202


@bp.get("/personas/<name>/build")
def build(name: str) -> Response:
    """The persona's latest build as its owner sees it."""
    with owned_here(name) as (session, persona):
        job = latest_job(session, persona)
        body: dict[str, Any] = {"persona": persona_json(persona), "job": None}
        if job is not None:
            body["job"] = build_json(job)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/personas/<name>/owner")
def pick_owner(name: str) -> Response:
    """Train on another sender's replies (or confirm the guess) before training."""
    check_csrf()
    body = request.get_json(silent=True)
    sender = (
        body.get("sender") if isinstance(body, dict) else request.form.get("sender")
    )
    if not isinstance(sender, str) or not sender:
        raise BadRequest("send the `sender` to train on")
    with owned_here(name) as (session, persona):
        job = latest_job(session, persona)
        job_id = job.id if job is not None else 0
    choose_owner(app_state().services.db, job_id, sender)
    return jsonify(sender=sender)


def build_json(job: Job) -> dict[str, Any]:
    """A job with the details its build page draws."""
    details = dict(job.details or {})
    if job.stage != CONFIRM_STAGE:  # a pick is only offered while it is waited for
        details["corpus"] = {
            k: v for k, v in (details.get("corpus") or {}).items()
            if k != "candidates"
        }  # fmt: skip
    return {**job_json(job), "details": details}
