"""Pieces every part of the OpenAPI document shares: responses, schemas, params."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
KEY_ID = {
    "name": "key_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
MANAGE_TOKEN = [{"manageToken": []}]


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A JSON response (or body) with this schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def error(description: str) -> dict[str, Any]:
    """An error response of the API: `{error, code}`."""
    return json_body(ERROR, description)


def text_body(media_type: str, description: str) -> dict[str, Any]:
    """A response of some other media type, as a string."""
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "string"}}},
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "code"],
        "properties": {"error": {"type": "string"}, "code": {"type": "string"}},
    },
    "Persona": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "public": {"type": "boolean"},
            "protected": {"type": "boolean"},
            "status": {"enum": ["pending", "training", "ready", "failed"]},
            "ready": {"type": "boolean"},
            "figures": {"type": "object"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Job": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "persona": {"type": "string"},
            "state": {"enum": ["queued", "running", "succeeded", "failed"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "stage": {"type": "string"},
            "error": {"type": ["string", "null"]},
            "attempts": {"type": "integer"},
        },
    },
    "Train": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max_steps": {"type": "integer", "minimum": 1},
            "checkpoint_seconds": {"type": "number", "minimum": 1, "maximum": 3600},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 256},
            "seq_len": {"type": "integer", "minimum": 8, "maximum": 512},
        },
    },
    "Model": {
        "type": "object",
        "properties": {
            "chatbotName": {"type": "string"},
            "status": {"type": "string"},
            "model": {"type": ["string", "null"], "description": "artifact key"},
        },
    },
}
