"""The HTTP API: personas, their owner's settings and keys, jobs, the original
endpoints, health and metrics."""

from __future__ import annotations

from flask import Flask

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


def register_api(app: Flask) -> None:
    """Attach the API's blueprints, error handlers and request hooks."""
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
