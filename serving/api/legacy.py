"""The original mimical-bot endpoints, as thin aliases over the registry.

`getModel` takes the password in a JSON body, never in the query string (query
strings end up in access logs), and wrong passwords count against the client's
address in the same shared lock-out as the chat channels (`serving.chat.lockout`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from serving.api.errors import BadRequest, Forbidden, NotFound, TooManyAttempts
from serving.api.state import app_state
from serving.channels.base import ip_requester
from serving.chat import Verdict, try_password
from serving.models import Persona, PersonaStatus
from serving.personas import find_persona, list_personas

bp = Blueprint("legacy", __name__)


@bp.get("/getPublicChatbots")
def public_chatbots() -> Response:
    """The names of the public personas, as the original API listed them."""
    with app_state().services.db.session() as session:
        return jsonify([p.name for p in list_personas(session, public_only=True)])


@bp.get("/getPublicModel")
def public_model() -> Response:
    """The model of a public persona without a password."""
    if "password" in request.args:
        raise BadRequest("never put a password in a URL; POST it to /getModel")
    name = request.args.get("chatbotName", "")
    with app_state().services.db.session() as session:
        persona = find_persona(session, name) if name else None
        if persona is None or not persona.public:
            raise NotFound(f"no public persona is called {name!r}")
        if persona.protected:
            raise Forbidden("this persona is password protected; POST to /getModel")
        return jsonify(_model(persona))


@bp.post("/getModel")
def model() -> Response:
    """The model of a persona, given its password (rate-limited per client)."""
    if "password" in request.args:
        raise BadRequest("never put a password in a URL; send it in the JSON body")
    state = app_state()
    requester = ip_requester(request.remote_addr)
    state.limits.check(
        "model requests", state.services.config.rate_get_model, requester
    )
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("chatbotName"), str):
        raise BadRequest('send JSON {"chatbotName": ..., "password": ...}')
    name, password = body["chatbotName"], body.get("password") or ""
    if not isinstance(password, str):
        raise BadRequest("`password` must be a string")
    db = state.services.db
    with db.session() as session:
        persona = find_persona(session, name)
        if persona is None:
            raise NotFound(f"no persona is called {name!r}")
    tried = try_password(db, persona, requester, password)
    if tried.verdict == Verdict.LOCKED:
        raise TooManyAttempts(
            "too many wrong passwords; try again later", tried.retry_after_s
        )
    if tried.verdict != Verdict.RIGHT:
        raise Forbidden("wrong password")
    return jsonify(_model(persona))


def _model(persona: Persona) -> dict[str, Any]:
    ready = persona.status == PersonaStatus.READY
    return {
        "chatbotName": persona.name,
        "status": persona.status.value,
        "model": persona.artifact_key if ready else None,
    }
