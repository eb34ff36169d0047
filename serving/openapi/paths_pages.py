"""OpenAPI paths of the owner's pages: /create and /personas/NAME/... .

They are for browsers: HTML pages and forms, plus the JSON the /create page's
script reads. Owner routes need the owner's cookie (`ownerCookie`, given by
`POST /create` or by the manage token on the unlock form); every POST needs the
page's CSRF token, as the `csrf_token` form field or the `X-CSRF-Token` header.
"""

from __future__ import annotations

from typing import Any

from serving.openapi.common import NAME, error, json_body, text_body

OWNER = [{"ownerCookie": []}]
FORM = "application/x-www-form-urlencoded"
_HTML = text_body("text/html", "the page")
_BACK = {"303": {"description": "saved; back to the owner's page"}}
_REFUSED = {
    "401": error("this browser does not hold the owner's cookie"),
    "403": error("no or wrong CSRF token, or sent from another site"),
    "404": error("no such persona"),
}
# The owner's HTML forms answer every error with a page a browser shows.
_PAGE_REFUSED = {
    "401": text_body("text/html", "this browser does not hold the owner's cookie"),
    "403": text_body("text/html", "no or wrong CSRF token, or sent from another site"),
    "404": text_body("text/html", "no such persona"),
    "4XX": text_body("text/html", "what went wrong and what to do, as a page"),
}
_CSRF = {
    "name": "X-CSRF-Token",
    "in": "header",
    "schema": {"type": "string"},
    "description": "the page's CSRF token (or the `csrf_token` form field)",
}


def _form(fields: dict[str, Any], media: str = FORM) -> dict[str, Any]:
    """A form body: the given fields and the CSRF token."""
    properties = {"csrf_token": {"type": "string"}, **fields}
    schema = {"type": "object", "properties": properties}
    return {"content": {media: {"schema": schema}}}


def _owner_post(summary: str, fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A form of the owner's page that changes something."""
    return {
        "summary": summary,
        "security": OWNER,
        "parameters": [NAME],
        "requestBody": _form(fields, extra.pop("media", FORM)),
        "responses": {**extra.pop("responses", _BACK), **_PAGE_REFUSED},
        **extra,
    }


_JOB_DETAILS = {
    "allOf": [
        {"$ref": "#/components/schemas/Job"},
        {
            "properties": {
                "details": {
                    "type": "object",
                    "description": "import counts, the corpus (and, while it "
                    "waits, the senders to pick from), training figures and "
                    "the live loss curve",
                }
            }
        },
    ]
}

PATHS: dict[str, Any] = {
    "/create": {
        "get": {
            "summary": "The page that makes a persona",
            "responses": {"200": _HTML},
        },
        "post": {
            "summary": "Create a persona from an export upload; waits for the owner "
            "to confirm whose replies to learn",
            "parameters": [_CSRF],
            "requestBody": _form(
                {
                    "name": {"type": "string"},
                    "public": {"type": "boolean"},
                    "password": {"type": "string"},
                    "minutes": {"type": "number"},
                    "export": {"type": "string", "format": "binary"},
                },
                "multipart/form-data",
            ),
            "responses": {
                "202": json_body(
                    {
                        "type": "object",
                        "properties": {
                            "persona": {"type": "string"},
                            "job": {"type": "integer"},
                            "manage_token": {"type": "string"},
                            "build_url": {"type": "string"},
                            "manage_url": {"type": "string"},
                        },
                    },
                    "queued; the manage token, shown this once; sets ownerCookie",
                ),
                "400": error("a field is missing or wrong, or the export is empty"),
                "403": error("no or wrong CSRF token"),
                "409": error("the name is taken"),
                "413": error("the upload is over MIMICAL_MAX_UPLOAD_MB"),
            },
        },
    },
    "/personas/{name}/build": {
        "get": {
            "summary": "The persona's latest build, as its owner sees it",
            "security": OWNER,
            "parameters": [NAME],
            "responses": {
                "200": json_body(
                    {
                        "type": "object",
                        "properties": {
                            "persona": {"$ref": "#/components/schemas/Persona"},
                            "job": _JOB_DETAILS,
                        },
                    },
                    "the persona and its build",
                ),
                **_REFUSED,
            },
        }
    },
    "/personas/{name}/owner": {
        "post": {
            "summary": "Pick whose replies the waiting build learns",
            "security": OWNER,
            "parameters": [NAME, _CSRF],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["sender"],
                            "properties": {"sender": {"type": "string"}},
                        }
                    }
                }
            },
            "responses": {
                "200": json_body({"type": "object"}, "the build goes on"),
                "409": error("the build is not waiting, or not for this sender"),
                **_REFUSED,
            },
        }
    },
    "/personas/{name}/manage": {
        "get": {
            "summary": "The owner's page, or the form that unlocks it",
            "parameters": [NAME],
            "responses": {
                "200": _HTML,
                **_PAGE_REFUSED,
                "401": text_body("text/html", "the unlock form"),
            },
        }
    },
    "/personas/{name}/unlock": {
        "post": {
            "summary": "Swap the manage token for the owner's cookie",
            "parameters": [NAME],
            "requestBody": _form({"token": {"type": "string"}}),
            "responses": {
                "303": {"description": "unlocked; sets ownerCookie"},
                **_PAGE_REFUSED,
                "403": text_body("text/html", "wrong token (or CSRF token)"),
            },
        }
    },
    "/personas/{name}/lock": {
        "post": {
            "summary": "Forget this browser's owner's cookie for the persona",
            "parameters": [NAME],
            "requestBody": _form({}),
            "responses": {"303": {"description": "locked"}, **_PAGE_REFUSED},
        }
    },
    "/personas/{name}/delete": {
        "get": {
            "summary": "What deleting removes, and the button that does it",
            "security": OWNER,
            "parameters": [NAME],
            "responses": {"200": _HTML, **_PAGE_REFUSED},
        },
        "post": _owner_post(
            "Delete the persona and every trace of it",
            {},
            responses={"200": text_body("text/html", "deleted")},
        ),
    },
    "/personas/{name}/settings": {
        "post": _owner_post(
            "Public or not; keep visitors' web chats or not",
            {"public": {"enum": ["on"]}, "store_conversations": {"enum": ["on"]}},
        )
    },
    "/personas/{name}/password": {
        "post": _owner_post(
            "Set, change or remove the chat password",
            {"password": {"type": "string"}, "remove": {"enum": ["on"]}},
        )
    },
    "/personas/{name}/origins": {
        "post": _owner_post(
            "The sites allowed to embed the chat widget, one per line",
            {"origins": {"type": "string"}},
        )
    },
    "/personas/{name}/keys": {
        "post": _owner_post(
            "Make an API key, shown in this answer only",
            {"label": {"type": "string"}},
            responses={"201": text_body("text/html", "the page with the new key")},
        )
    },
    "/personas/{name}/keys/{key_id}/revoke": {
        "post": {
            **_owner_post("Revoke an API key", {}),
            "parameters": [
                NAME,
                {
                    "name": "key_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                },
            ],  # fmt: skip
        }
    },
    "/personas/{name}/conversations.jsonl": {
        "get": {
            "summary": "The kept web conversations as Message JSON lines",
            "security": OWNER,
            "parameters": [NAME],
            "responses": {
                "200": text_body("application/x-ndjson", "the messages"),
                **_PAGE_REFUSED,
            },
        }
    },
    "/personas/{name}/conversations/forget": {
        "post": _owner_post("Delete every kept web conversation", {})
    },
    "/personas/{name}/retrain": {
        "post": _owner_post(
            "Build the persona again with more training minutes",
            {
                "minutes": {"type": "number"},
                "export": {"type": "string", "format": "binary"},
            },
            media="multipart/form-data",
            responses={
                "303": {"description": "queued; on to /create to watch it"},
                "409": text_body("text/html", "a build is running already"),
            },
        )
    },
    "/personas/{name}/report/{kind}.png": {
        "get": {
            "summary": "A picture of the report: loss, bits, length or style",
            "security": OWNER,
            "parameters": [
                NAME,
                {
                    "name": "kind",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["loss", "bits", "length", "style"]},
                },
            ],  # fmt: skip
            "responses": {
                "200": {
                    "description": "a 640×360 PNG",
                    "content": {"image/png": {"schema": {"type": "string"}}},
                },
                **_REFUSED,
            },
        }
    },
}
