"""The Flask app factory: config, services, job runner and chat engine wired once."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from serving.api import EXTENSION, AppState, register_api
from serving.channels import register_channels
from serving.chat import ChatEngine, GenerationOptions
from serving.chat.engine import Prepared
from serving.config import Config
from serving.jobs import make_runner
from serving.metrics import REPLIES
from serving.model_cache import ModelCache
from serving.services import open_services

log = logging.getLogger(__name__)


class MeteredChatEngine(ChatEngine):
    """The chat engine, counting the messages it answers per channel."""

    def prepare(self, channel: str, user_id: str, text: str) -> Prepared:
        REPLIES.labels(channel).inc()
        return super().prepare(channel, user_id, text)


def create_app(config: Config | None = None, *, start_jobs: bool = True) -> Flask:
    """Build the web app; nothing is read or opened before this is called.

    With the in-process runner, jobs a previous server left unfinished are queued
    again here (`start_jobs=False` leaves them, for tools that only inspect).
    """
    services = open_services(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=services.config.secret_key,
        MAX_CONTENT_LENGTH=services.config.max_upload_mb * 1024 * 1024,
    )
    cache = ModelCache(services.storage, services.config.home / "cache")
    runner = make_runner(services)
    engine = MeteredChatEngine(
        services.db, cache.get, GenerationOptions.from_config(services.config)
    )
    app.extensions[EXTENSION] = AppState(services, runner, cache, engine)

    register_api(app)
    register_channels(app)
    if services.config.proxy_hops > 0:
        # Behind a TLS proxy: per-IP limits and URLs must see the client, not it.
        hops = services.config.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    if start_jobs and services.config.jobs == "thread":
        resumed = runner.resume_unfinished()
        if resumed:
            log.info("resuming unfinished jobs %s", resumed)
    return app


def shutdown_app(app: Flask, wait: bool = False) -> None:
    """Stop the app's job runner and close its database connections."""
    state: AppState = app.extensions[EXTENSION]
    state.runner.shutdown(wait=wait)
    state.services.db.dispose()


__all__ = ["AppState", "MeteredChatEngine", "create_app", "shutdown_app"]
