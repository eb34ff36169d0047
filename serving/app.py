"""The Flask app factory: config, services, job runner and chat engine wired once."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from serving.api import EXTENSION, AppState, register_api
from serving.channels import openai, register_channels
from serving.chat import (
    Access,
    ChatEngine,
    Completion,
    CompletionRequest,
    GenerationOptions,
    Incoming,
    OnWriting,
    Outcome,
    Prepared,
)
from serving.config import Config
from serving.inputs import SafeJSONProvider
from serving.jobs import make_runner
from serving.jobs.sweeper import Sweeper
from serving.metrics import PERSONA_TURNS, REPLIES
from serving.model_cache import ModelCache
from serving.pages import register_pages
from serving.ratelimit import RateLimits
from serving.services import open_services

log = logging.getLogger(__name__)

SWEEPER = "mimical_sweeper"


class MeteredChatEngine(ChatEngine):
    """The chat engine, counting per channel the events it answers and the turns
    the persona's model writes (the outcome says which)."""

    def finish_batch(
        self,
        events: Sequence[Incoming],
        steps: Sequence[Prepared],
        on_writing: OnWriting | None = None,
    ) -> list[Outcome]:
        outcomes = super().finish_batch(events, steps, on_writing)
        for incoming, outcome in zip(events, outcomes, strict=True):
            REPLIES.labels(incoming.user.channel).inc()
            if outcome.model_answered:
                PERSONA_TURNS.labels(incoming.user.channel).inc()
        return outcomes

    def complete(
        self, request: CompletionRequest, access: Access
    ) -> tuple[str, list[Completion]]:
        persona, completions = super().complete(request, access)
        REPLIES.labels(openai.name).inc()
        PERSONA_TURNS.labels(openai.name).inc(len(completions))
        return persona, completions


class TLSAwareSessions(SecureCookieSessionInterface):
    """Session cookies marked `Secure` whenever the page was served over TLS.

    Behind a TLS proxy (`MIMICAL_PROXY_HOPS`) the request is https through its
    `X-Forwarded-Proto`; a plain-http laptop server keeps cookies usable.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure if configured so, or if this request came over https."""
        return bool(super().get_cookie_secure(app) or request.is_secure)


def create_app(config: Config | None = None, *, start_jobs: bool = True) -> Flask:
    """Build the web app; nothing is read or opened before this is called.

    With the in-process runner, jobs a previous server left unfinished are queued
    again here (`start_jobs=False` leaves them, for tools that only inspect).
    """
    services = open_services(config)
    app = Flask(__name__)
    app.json = SafeJSONProvider(app)
    app.session_interface = TLSAwareSessions()
    app.config.update(
        SECRET_KEY=services.config.secret_key,
        MAX_CONTENT_LENGTH=services.config.max_upload_mb * 1024 * 1024,
    )
    cache = ModelCache(services.storage, services.config.home / "cache")
    runner = make_runner(services)
    engine = MeteredChatEngine(
        services.db, cache.get, GenerationOptions.from_config(services.config)
    )
    limits = RateLimits(services.config.broker_url)
    app.extensions[EXTENSION] = AppState(services, runner, cache, engine, limits)

    register_api(app)
    register_channels(app)
    register_pages(app)
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
        app.extensions[SWEEPER] = Sweeper(services, runner).start()
    return app


def shutdown_app(app: Flask, wait: bool = False) -> None:
    """Stop the app's job runner and close its database connections."""
    state: AppState = app.extensions[EXTENSION]
    sweeper: Sweeper | None = app.extensions.get(SWEEPER)
    if sweeper is not None:
        sweeper.stop()
    state.runner.shutdown(wait=wait)
    state.services.db.dispose()


__all__ = ["AppState", "MeteredChatEngine", "create_app", "shutdown_app"]
