"""The Flask app factory: config, services, job runner and chat engine wired once."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from serving.chat import ChatEngine
from serving.config import Config
from serving.jobs import make_runner
from serving.model_cache import ModelCache
from serving.services import Services, open_services


def create_app(config: Config | None = None) -> Flask:
    """Build the web app; nothing is read or opened before this is called."""
    services = open_services(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=services.config.secret_key,
        MAX_CONTENT_LENGTH=services.config.max_upload_mb * 1024 * 1024,
    )
    cache = ModelCache(services.storage, services.config.home / "cache")
    runner = make_runner(services)
    app.extensions["mimical"] = AppState(
        services, runner, cache, ChatEngine(services.db, cache.get)
    )

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    return app


class AppState:
    """What request handlers reach through `app.extensions["mimical"]`."""

    def __init__(
        self, services: Services, runner: Any, cache: ModelCache, engine: ChatEngine
    ) -> None:
        self.services = services
        self.runner = runner
        self.cache = cache
        self.engine = engine
