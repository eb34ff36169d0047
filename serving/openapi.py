"""The OpenAPI 3.1 document of the HTTP API; a test keeps it equal to the routes."""

from __future__ import annotations

import copy
from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _error(description: str) -> dict[str, Any]:
    return _json(_ERROR, description)


_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
_SCHEMAS: dict[str, Any] = {
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
_COMMON_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "maxLength": 40},
    "password": {"type": "string", "description": "leave out for an open persona"},
    "public": {"type": "boolean"},
    "me": {"type": "string", "description": "your sender name (default: guessed)"},
    "keep_data": {"type": "boolean", "description": "keep the upload and corpus"},
    "minutes": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
}
_CREATE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["name", "export"],
                "properties": {
                    **_COMMON_FIELDS,
                    "train": {"type": "string", "description": "JSON of a Train"},
                    "export": {"type": "string", "format": "binary"},
                },
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["name", "source"],
                "properties": {
                    **_COMMON_FIELDS,
                    "train": {"$ref": "#/components/schemas/Train"},
                    "source": {
                        "type": "object",
                        "required": ["type", "cookies", "thread_ids"],
                        "properties": {
                            "type": {"const": "messenger"},
                            "cookies": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                            "thread_ids": {
                                "type": "array",
                                "items": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    },
}
_CREATED = {
    "type": "object",
    "properties": {
        "persona": {"$ref": "#/components/schemas/Persona"},
        "job": {"$ref": "#/components/schemas/Job"},
        "manage_token": {"type": "string", "description": "shown once"},
    },
}
_PERSONA_AND_JOB = {
    "type": "object",
    "properties": {
        "persona": {"$ref": "#/components/schemas/Persona"},
        "job": {"oneOf": [{"$ref": "#/components/schemas/Job"}, {"type": "null"}]},
    },
}

_PATHS: dict[str, Any] = {
    "/api/personas": {
        "post": {
            "summary": "Create a persona from an export upload or Messenger cookies",
            "requestBody": _CREATE_BODY,
            "responses": {
                "202": _json(_CREATED, "registered; the job builds it"),
                "400": _error("a field is missing or wrong"),
                "409": _error("the name is taken"),
                "413": _error("the upload is too large"),
            },
        },
        "get": {
            "summary": "List the public personas",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "personas": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Persona"},
                            }
                        },
                    },
                    "public personas by name",
                )
            },
        },
    },
    "/api/personas/{name}": {
        "parameters": [_NAME],
        "get": {
            "summary": "One persona and its latest job",
            "responses": {
                "200": _json(_PERSONA_AND_JOB, "the persona"),
                "404": _error("no such persona"),
            },
        },
        "delete": {
            "summary": "Delete a persona, its model, corpus and chat sessions",
            "security": [{"manageToken": []}],
            "responses": {
                "200": _json({"type": "object"}, "deleted"),
                "401": _error("no or wrong manage token"),
                "404": _error("no such persona"),
            },
        },
    },
    "/api/jobs/{job_id}": {
        "parameters": [
            {
                "name": "job_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "get": {
            "summary": "State, progress, stage and error of a job",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"job": {"$ref": "#/components/schemas/Job"}},
                    },
                    "the job",
                ),
                "404": _error("no such job"),
            },
        },
    },
    "/getPublicChatbots": {
        "get": {
            "summary": "Legacy: names of the public personas",
            "responses": {
                "200": _json({"type": "array", "items": {"type": "string"}}, "names")
            },
        }
    },
    "/getPublicModel": {
        "get": {
            "summary": "Legacy: the model of a public persona without a password",
            "parameters": [
                {
                    "name": "chatbotName",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": _json({"$ref": "#/components/schemas/Model"}, "the model"),
                "403": _error("password protected: use POST /getModel"),
                "404": _error("no such public persona"),
            },
        }
    },
    "/getModel": {
        "post": {
            "summary": "Legacy: the model of a persona, given its password",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["chatbotName"],
                            "properties": {
                                "chatbotName": {"type": "string"},
                                "password": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json({"$ref": "#/components/schemas/Model"}, "the model"),
                "403": _error("wrong password"),
                "404": _error("no such persona"),
                "429": _error("too many wrong passwords; see Retry-After"),
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "Liveness and database reachability",
            "responses": {
                "200": _json({"type": "object"}, "healthy"),
                "503": _json({"type": "object"}, "the database does not answer"),
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics",
            "responses": {
                "200": {
                    "description": "text exposition format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
        }
    },
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy each call)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "mimical-bot",
                "version": "1",
                "description": "Personas built from your own message history.",
            },
            "paths": _PATHS,
            "components": {
                "schemas": _SCHEMAS,
                "securitySchemes": {
                    "manageToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "the token given at creation",
                    }
                },
            },
        }
    )
