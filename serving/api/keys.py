"""`/api/personas/NAME/keys`: the owner makes, lists and revokes API keys.

Every route needs the persona's manage token; a new key is in the answer to its
creation and nowhere else, ever.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from serving.api.errors import BadRequest, NotFound
from serving.api.owner import ask_for_bearer, owned_persona
from serving.api.state import app_state
from serving.api_keys import create_api_key, list_api_keys, revoke_api_key
from serving.models import ApiKey

bp = Blueprint("keys", __name__, url_prefix="/api/personas")
bp.after_request(ask_for_bearer)


def _key_json(row: ApiKey) -> dict[str, Any]:
    return {
        "id": row.id,
        "prefix": row.prefix,
        "label": row.label,
        "created_at": row.created_at.isoformat(),
    }


@bp.post("/<name>/keys")
def create(name: str) -> tuple[Response, int]:
    """Make a key for programs to use this persona; the key is shown only here."""
    body = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(body, dict) or not body.keys() <= {"label"}:
        raise BadRequest('send nothing, or a JSON object {"label": "..."}')
    label = body.get("label", "")
    if not isinstance(label, str):
        raise BadRequest("`label` must be a string")
    secret_key = app_state().services.config.secret_key
    with owned_persona(name) as (session, persona):
        row, key = create_api_key(session, secret_key, persona, label.strip())
        return jsonify({**_key_json(row), "key": key}), 201


@bp.get("/<name>/keys")
def index(name: str) -> Response:
    """The persona's keys, without the keys themselves."""
    with owned_persona(name) as (session, persona):
        return jsonify(keys=[_key_json(row) for row in list_api_keys(session, persona)])


@bp.delete("/<name>/keys/<id:key_id>")
def revoke(name: str, key_id: int) -> Response:
    """Revoke a key: programs using it are refused from now on."""
    with owned_persona(name) as (session, persona):
        if not revoke_api_key(session, persona, key_id):
            raise NotFound(f"{persona.name} has no key {key_id}")
        return jsonify(revoked=key_id)
