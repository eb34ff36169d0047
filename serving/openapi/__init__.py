"""The OpenAPI 3.1 document of every route the app serves; a test keeps it equal to
`app.url_map`, so a route cannot go undocumented."""

from __future__ import annotations

import copy
from typing import Any

from serving.openapi import (
    paths_api,
    paths_channels,
    paths_openai,
    paths_owner,
    paths_pages,
)
from serving.openapi.common import SCHEMAS


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
            "paths": {
                **paths_api.PATHS,
                **paths_owner.PATHS,
                **paths_channels.PATHS,
                **paths_openai.PATHS,
                **paths_pages.PATHS,
            },
            "components": {
                "schemas": {**SCHEMAS, **paths_openai.SCHEMAS},
                "securitySchemes": {
                    "manageToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "the persona's manage token, given at creation",
                    },
                    "ownerCookie": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": "mimical_owner",
                        "description": "the owner's pages: signed, HttpOnly, "
                        "SameSite=Strict; never holds the manage token",
                    },
                    "apiKey": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "an API key the persona's owner made",
                    },
                },
            },
        }
    )


__all__ = ["openapi_document"]
