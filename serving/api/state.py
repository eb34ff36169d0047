"""What request handlers reach: the services, job runner, model cache and engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from serving.chat import ChatEngine
from serving.jobs import JobRunner
from serving.model_cache import ModelCache
from serving.ratelimit import RateLimits
from serving.services import Services

EXTENSION = "mimical"


@dataclass
class AppState:
    """Kept at `app.extensions["mimical"]`, built once by `create_app`."""

    services: Services
    runner: JobRunner
    cache: ModelCache
    engine: ChatEngine
    # Shared with every process through Redis when there is a broker.
    limits: RateLimits = field(default_factory=RateLimits)


def app_state() -> AppState:
    """The current app's state."""
    state: AppState = current_app.extensions[EXTENSION]
    return state
