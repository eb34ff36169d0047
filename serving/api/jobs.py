"""`/api/jobs/ID`: how a persona-building job is doing."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from serving.api.errors import NotFound
from serving.api.state import app_state
from serving.api.views import job_json
from serving.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/api")


@bp.get("/jobs/<int:job_id>")
def show(job_id: int) -> Response:
    """State, progress, stage and error of one job."""
    with app_state().services.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return jsonify(job=job_json(job))
