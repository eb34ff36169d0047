"""`/api/personas`: create (202 + job + manage token), list, show and delete."""

from __future__ import annotations

import shutil
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from serving.api.admission import admit_creation
from serving.api.create import read_create_request
from serving.api.owner import ask_for_bearer, owned_persona, owner_token
from serving.api.state import app_state
from serving.api.views import job_json, persona_json
from serving.jobs import register_persona, work_dir
from serving.jobs.build import job_store_key
from serving.jobs.runner import SubmitError
from serving.jobs.uploads import discard_upload
from serving.logs import request_id_var
from serving.models import Job, Persona
from serving.personas import (
    UnknownPersonaError,
    check_name,
    delete_persona,
    get_persona,
    list_personas,
)

bp = Blueprint("personas", __name__, url_prefix="/api")
bp.after_request(ask_for_bearer)


@bp.post("/personas")
def create() -> tuple[Response, int]:
    """Register a persona and queue the job that builds it."""
    state = app_state()
    services = state.services
    client = admit_creation(state)  # before a byte of the body is read
    name = request.form.get("name") if request.form else None
    if name:
        check_name(name)  # refuse a bad name before saving a large upload
    wanted = read_create_request(request, services)
    wanted.source["request_id"] = request_id_var.get()
    wanted.source["client"] = client
    try:
        registration = register_persona(
            services.db, wanted.name, wanted.public, wanted.password, wanted.source
        )
    except BaseException:
        discard_upload(services.config, services.storage, wanted.source)
        raise
    try:
        state.runner.submit(registration.job_id)
    except SubmitError:
        # Nothing may stay pending with nobody to build it: the name is free again.
        with services.db.session() as session:
            persona = session.get(Persona, registration.persona_id)
            if persona is not None:
                session.delete(persona)
        discard_upload(services.config, services.storage, wanted.source)
        raise
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
        job = _latest_job(session, persona)
        body["job"] = job_json(job) if job is not None else None
    return jsonify(body)


@bp.delete("/personas/<name>")
def delete(name: str) -> Response:
    """Delete a persona with its manage token: artifact, corpus, uploads, sessions."""
    state = app_state()
    services = state.services
    with owned_persona(name) as (session, persona):
        artifact_key = persona.artifact_key
        jobs = [(job.id, dict(job.source)) for job in persona.jobs]
        deleted_name = persona.name
        # The store first, inside the transaction: if it fails the answer is 503
        # with nothing committed, and the owner's retry finishes the deletion.
        for job_id, source in jobs:
            services.storage.delete_tree(job_store_key(job_id))
            discard_upload(services.config, services.storage, source)
        delete_persona(session, services.storage, persona)
    # Committed: from here on nothing can fail.
    for job_id, _source in jobs:
        shutil.rmtree(work_dir(services.config, job_id), ignore_errors=True)
    if artifact_key:
        state.cache.forget(artifact_key)
    return jsonify(deleted=deleted_name)


def _latest_job(session: Session, persona: Persona) -> Job | None:
    return session.scalar(
        select(Job).where(Job.persona_id == persona.id).order_by(Job.id.desc())
    )
