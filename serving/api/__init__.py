"""The HTTP API: personas, their owner's settings and keys, jobs, the original
endpoints, health and metrics."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from serving.api import health, jobs, keys, legacy, personas, web_settings
from serving.api.errors import ApiError, register_error_handlers
from serving.api.hooks import register_hooks
from serving.api.state import EXTENSION, AppState, app_state

BLUEPRINTS = (
    personas.bp,
    web_settings.bp,
    keys.bp,
    jobs.bp,
    legacy.bp,
    health.bp,
)


class IdConverter(IntegerConverter):
    """A row id in a URL: a number past what the database holds names nothing
    (404) instead of overflowing the query."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **{"max": MAX_ID, **kwargs})


# The largest id a 32-bit INTEGER column (PostgreSQL's) can hold.
MAX_ID = 2**31 - 1


def register_api(app: Flask) -> None:
    """Attach the API's blueprints, error handlers and request hooks."""
    app.url_map.converters["id"] = IdConverter
    register_hooks(app)
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


__all__ = [
    "BLUEPRINTS",
    "EXTENSION",
    "ApiError",
    "AppState",
    "app_state",
    "register_api",
]
