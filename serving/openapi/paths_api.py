"""OpenAPI paths of the persona API: personas, jobs, the legacy routes, health."""

from __future__ import annotations

from typing import Any

from serving.openapi.common import MANAGE_TOKEN, NAME, error, json_body, text_body

_COMMON_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "maxLength": 40},
    "password": {"type": "string", "description": "leave out for an open persona"},
    "public": {"type": "boolean"},
    "me": {"type": "string", "description": "your sender name (default: guessed)"},
    "keep_data": {"type": "boolean", "description": "keep the upload and corpus"},
    "from_scratch": {
        "type": "boolean",
        "description": "random weights instead of the shipped base chat model",
    },
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

PATHS: dict[str, Any] = {
    "/api/personas": {
        "post": {
            "summary": "Create a persona from an export upload or Messenger cookies",
            "requestBody": _CREATE_BODY,
            "responses": {
                "202": json_body(_CREATED, "registered; the job builds it"),
                "400": error("a field is missing or wrong"),
                "409": error("the name is taken"),
                "413": error("the upload is too large"),
            },
        },
        "get": {
            "summary": "List the public personas",
            "responses": {
                "200": json_body(
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
        "parameters": [NAME],
        "get": {
            "summary": "One persona and its latest job",
            "responses": {
                "200": json_body(_PERSONA_AND_JOB, "the persona"),
                "404": error("no such persona"),
            },
        },
        "delete": {
            "summary": "Delete a persona, its model, corpus and chat sessions",
            "security": MANAGE_TOKEN,
            "responses": {
                "200": json_body({"type": "object"}, "deleted"),
                "401": error("no or wrong manage token"),
                "404": error("no such persona"),
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
                "200": json_body(
                    {
                        "type": "object",
                        "properties": {"job": {"$ref": "#/components/schemas/Job"}},
                    },
                    "the job",
                ),
                "404": error("no such job"),
            },
        },
    },
    "/getPublicChatbots": {
        "get": {
            "summary": "Legacy: names of the public personas",
            "responses": {
                "200": json_body(
                    {"type": "array", "items": {"type": "string"}}, "names"
                )
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
                "200": json_body({"$ref": "#/components/schemas/Model"}, "the model"),
                "403": error("password protected: use POST /getModel"),
                "404": error("no such public persona"),
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
                "200": json_body({"$ref": "#/components/schemas/Model"}, "the model"),
                "403": error("wrong password"),
                "404": error("no such persona"),
                "429": error("too many wrong passwords; see Retry-After"),
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "Liveness and database reachability",
            "responses": {
                "200": json_body({"type": "object"}, "healthy"),
                "503": json_body({"type": "object"}, "the database does not answer"),
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics",
            "responses": {"200": text_body("text/plain", "text exposition format")},
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": json_body({"type": "object"}, "OpenAPI 3.1")},
        }
    },
}
