"""The owner's side of web chat: embedding origins, storing, exporting conversations.

Every route needs the persona's manage token as `Authorization: Bearer TOKEN`;
errors are the API's JSON errors (`serving.api.errors`).
Visitors' conversations are kept only after the owner turned storing on, and the
export in `messages` format is the same Message JSON lines the corpus stage reads,
so real visitors' chats can become training data.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from serving.api.errors import BadRequest
from serving.api.owner import ask_for_bearer, owned_persona
from serving.channels.web.origins import OriginError, normalize_origins
from serving.models import Persona, StoredMessage
from serving.owner_actions import (
    VISITOR,
    conversations_download,
    forget_conversations,
    stored_conversation_rows,
)

bp = Blueprint("web_settings", __name__, url_prefix="/api/personas")
bp.after_request(ask_for_bearer)


def _settings(persona: Persona) -> dict[str, Any]:
    return {
        "persona": persona.name,
        "embed_origins": list(persona.embed_origins or []),
        "store_conversations": bool(persona.store_conversations),
    }


@bp.get("/<name>/web")
def get_web_settings(name: str) -> Any:
    """Which sites may embed the persona and whether conversations are kept."""
    with owned_persona(name) as (_session, persona):
        return jsonify(_settings(persona))


@bp.patch("/<name>/web")
def update_web_settings(name: str) -> Any:
    """Change `embed_origins` and/or `store_conversations` (the token first)."""
    with owned_persona(name) as (_session, persona):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.keys() <= {
            "embed_origins",
            "store_conversations",
        }:
            raise BadRequest(
                "send a JSON object with embed_origins, store_conversations"
            )
        store = body.get("store_conversations")
        if store is not None and not isinstance(store, bool):
            raise BadRequest("store_conversations must be true or false")
        origins = None
        if "embed_origins" in body:
            try:
                origins = normalize_origins(body["embed_origins"])
            except OriginError as error:
                raise BadRequest(str(error)) from None
        if origins is not None:
            persona.embed_origins = origins
        if store is not None:
            persona.store_conversations = store
        return jsonify(_settings(persona))


@bp.get("/<name>/conversations")
def export_conversations(name: str) -> Any:
    """The stored conversations: JSON, or `?format=messages` Message JSON lines."""
    kind = request.args.get("format", "json")
    if kind not in ("json", "messages"):
        raise BadRequest("format must be json or messages")
    with owned_persona(name) as (session, persona):
        rows = stored_conversation_rows(session, persona)
        if kind == "messages":
            return conversations_download(persona.name, rows)
        return jsonify(persona=persona.name, conversations=_grouped(rows))


@bp.delete("/<name>/conversations")
def delete_conversations(name: str) -> Any:
    """Forget every stored conversation of the persona."""
    with owned_persona(name) as (session, persona):
        return jsonify(deleted=forget_conversations(session, persona))


def _grouped(rows: list[StoredMessage]) -> list[dict[str, Any]]:
    """Messages grouped by conversation, each in the order it was said."""
    conversations: dict[str, dict[str, Any]] = {}
    for row in rows:
        conversation = conversations.setdefault(
            row.conversation,
            {
                "id": row.conversation,
                "channel": row.channel,
                "started_at": row.sent_at.isoformat(),
                "messages": [],
            },
        )
        conversation["messages"].append(
            {
                "from": "persona" if row.from_persona else VISITOR,
                "text": row.text,
                "sent_at": row.sent_at.isoformat(),
            }
        )
    return list(conversations.values())
