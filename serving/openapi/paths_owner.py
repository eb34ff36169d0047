"""OpenAPI paths of the owner's routes: web chat settings, conversations, API keys.

Every one needs the persona's manage token as `Authorization: Bearer TOKEN`.
"""

from __future__ import annotations

from typing import Any

from serving.openapi.common import KEY_ID, MANAGE_TOKEN, NAME, error, json_body

_OWNER_ERRORS = {
    "401": error("no or wrong manage token"),
    "404": error("no such persona"),
}
_SETTINGS = {
    "type": "object",
    "properties": {
        "persona": {"type": "string"},
        "embed_origins": {"type": "array", "items": {"type": "string"}},
        "store_conversations": {"type": "boolean"},
    },
}
_KEY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "prefix": {"type": "string", "description": "the key's first characters"},
        "label": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}


def _owned(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": MANAGE_TOKEN,
        "responses": {**responses, **_OWNER_ERRORS},
        **extra,
    }


PATHS: dict[str, Any] = {
    "/api/personas/{name}/web": {
        "parameters": [NAME],
        "get": _owned(
            "Which sites may embed the web chat, and whether chats are kept",
            {"200": json_body(_SETTINGS, "the settings")},
        ),
        "patch": _owned(
            "Change embed_origins and/or store_conversations",
            {
                "200": json_body(_SETTINGS, "the new settings"),
                "400": error("a setting is malformed"),
            },
            requestBody={
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "embed_origins": {
                                    "type": "array",
                                    "maxItems": 20,
                                    "items": {"type": "string"},
                                },
                                "store_conversations": {"type": "boolean"},
                            },
                        }
                    }
                },
            },
        ),
    },
    "/api/personas/{name}/conversations": {
        "parameters": [NAME],
        "get": _owned(
            "The kept web conversations: JSON, or Message JSON lines",
            {
                "200": {
                    "description": "grouped by conversation, or `format=messages`",
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "application/x-ndjson": {"schema": {"type": "string"}},
                    },
                },
                "400": error("format is not json or messages"),
            },
            parameters=[
                {
                    "name": "format",
                    "in": "query",
                    "schema": {"enum": ["json", "messages"]},
                }
            ],
        ),
        "delete": _owned(
            "Forget every kept conversation of the persona",
            {"200": json_body({"type": "object"}, "how many messages went")},
        ),
    },
    "/api/personas/{name}/keys": {
        "parameters": [NAME],
        "post": _owned(
            "Make an API key for /v1 (the key is in this answer only)",
            {
                "201": json_body(
                    {
                        "allOf": [
                            _KEY,
                            {"properties": {"key": {"type": "string"}}},
                        ]
                    },
                    "the new key, shown once",
                ),
                "400": error("bad label, or too many keys"),
            },
            requestBody={
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"label": {"type": "string"}},
                        }
                    }
                },
            },
        ),
        "get": _owned(
            "The persona's API keys (never the keys themselves)",
            {
                "200": json_body(
                    {
                        "type": "object",
                        "properties": {"keys": {"type": "array", "items": _KEY}},
                    },
                    "the keys",
                )
            },
        ),
    },
    "/api/personas/{name}/keys/{key_id}": {
        "parameters": [NAME, KEY_ID],
        "delete": _owned(
            "Revoke an API key",
            {"200": json_body({"type": "object"}, "revoked")},
        ),
    },
}
