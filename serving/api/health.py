"""`/healthz`, `/metrics` (Prometheus) and `/api/openapi.json`."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from serving.api.state import app_state
from serving.metrics import CONTENT_TYPE, AppCollector, exposition
from serving.openapi import openapi_document

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database answers; 503 otherwise (for load balancers)."""
    try:
        with app_state().services.db.session() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.get("/metrics")
def metrics() -> Response:
    """Requests, job durations, replies and model-cache figures."""
    state = app_state()
    body = exposition(
        AppCollector(state.cache, state.services.db),
        state.services.config.metrics_dir,
    )
    return Response(body, content_type=CONTENT_TYPE)


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API."""
    return jsonify(openapi_document())
