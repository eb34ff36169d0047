"""`/api/personas`: create (202 + job + manage token), list, show and delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from serving.api.create import start_build
from serving.api.owner import ask_for_bearer, owned_persona, owner_token
from serving.api.state import app_state
from serving.api.views import job_json, persona_json
from serving.models import Job
from serving.owner_actions import latest_job, remove_persona
from serving.personas import UnknownPersonaError, get_persona, list_personas

bp = Blueprint("personas", __name__, url_prefix="/api")
bp.after_request(ask_for_bearer)


@bp.post("/personas")
def create() -> tuple[Response, int]:
    """Register a persona and queue the job that builds it."""
    state = app_state()
    services = state.services
    registration = start_build(state, request)
    with services.db.session() as session:
        job = session.get(Job, registration.job_id)
        assert job is not None
        body = {
            "persona": persona_json(job.persona),
            "job": job_json(job),
            "manage_token": registration.manage_token,
        }
    response = jsonify(body)
    response.headers["Location"] = url_for("jobs.show", job_id=registration.job_id)
    return response, 202


@bp.get("/personas")
def index() -> Response:
    """The public personas, by name."""
    with app_state().services.db.session() as session:
        personas = [persona_json(p) for p in list_personas(session, public_only=True)]
    return jsonify(personas=personas)


@bp.get("/personas/<name>")
def show(name: str) -> Response:
    """One persona and its latest job; a private one only to its owner's token."""
    with app_state().services.db.session() as session:
        persona = get_persona(session, name)
        if not (persona.public or owner_token(persona)):
            raise UnknownPersonaError(f"no persona is called {name!r}")
        body: dict[str, Any] = {"persona": persona_json(persona)}
        job = latest_job(session, persona)
        body["job"] = job_json(job) if job is not None else None
    return jsonify(body)


@bp.delete("/personas/<name>")
def delete(name: str) -> Response:
    """Delete a persona with its manage token: artifact, corpus, uploads, sessions."""
    state = app_state()
    with owned_persona(name) as (_session, persona):
        persona_id = persona.id
    return jsonify(deleted=remove_persona(state.services, state.cache, persona_id))
