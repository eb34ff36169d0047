"""`/api/jobs/ID`: how a persona-building job is doing.

A job of a private persona is shown only to its owner's manage token; to anyone
else it does not exist (404), so its persona's name is never given away.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from serving.api.errors import NotFound
from serving.api.owner import owner_token
from serving.api.state import app_state
from serving.api.views import job_json
from serving.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/api")


@bp.get("/jobs/<id:job_id>")
def show(job_id: int) -> Response:
    """State, progress, stage and error of one job."""
    with app_state().services.db.session() as session:
        job = session.get(Job, job_id)
        if job is None or not (job.persona.public or owner_token(job.persona)):
            raise NotFound(f"no job {job_id}")
        return jsonify(job=job_json(job))
