"""The OpenAI-compatible API: any OpenAI client can talk to a persona.

`GET /v1/models` lists the personas the caller may use; `POST
/v1/chat/completions` with `model` set to a persona's name answers as that
persona. Public personas without a password are open to anyone, within a per-IP
rate limit; any other persona needs an API key its owner made
(`POST /api/personas/NAME/keys`), sent as `Authorization: Bearer KEY`.

Our keys start with `mimical-`. OpenAI clients insist on sending some key, so a
request with no key, or a key that is not one of ours in form ("none", "sk-..."),
is anonymous; a `mimical-` key we do not know (mistyped, revoked) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, Response, jsonify, request

from serving.api.state import app_state
from serving.api_keys import KEY_PREFIX, find_api_key
from serving.channels.base import per_app
from serving.channels.openai.errors import OpenAIError, register_error_handlers
from serving.channels.openai.parse import parse_request
from serving.channels.openai.shapes import Answer, model_list
from serving.chat import Access
from serving.ratelimit import RateLimits, SharedLimiter

LIMITS_KEY = "MIMICAL_OPENAI_LIMITS"
MAX_BODY_BYTES = 1 << 20

bp = Blueprint("openai", __name__, url_prefix="/v1")
register_error_handlers(bp)


@dataclass(frozen=True)
class OpenAILimits:
    """Requests per minute: anonymous callers per IP, key holders per key."""

    burst: int = 10
    per_minute: float = 30.0
    key_burst: int = 30
    key_per_minute: float = 120.0


class OpenAIGuards:
    """The rate limiters of one app, shared by its processes (`serving.ratelimit`)."""

    def __init__(self, limits: OpenAILimits, shared: RateLimits) -> None:
        self.limits = limits
        self.by_ip = SharedLimiter(shared, "v1 by ip", limits.burst, limits.per_minute)
        self.by_key = SharedLimiter(
            shared, "v1 by key", limits.key_burst, limits.key_per_minute
        )


def register(app: Flask) -> None:
    """Add the /v1 routes to the app."""
    app.register_blueprint(bp)


def _guards() -> OpenAIGuards:
    """This app's limiters (tests may set `MIMICAL_OPENAI_LIMITS` before first use)."""
    return per_app(
        "mimical_openai",
        lambda app: OpenAIGuards(
            app.config.get(LIMITS_KEY) or OpenAILimits(),
            app.extensions["mimical"].limits,
        ),
    )


def _caller() -> Access:
    """Who is calling (by their key, if any), once their rate allows it."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip() if scheme.lower() == "bearer" else ""
    guards = _guards()
    if not key.startswith(KEY_PREFIX):
        _spend(guards.by_ip, request.remote_addr or "?", guards.limits.per_minute)
        return Access()
    state = app_state()
    with state.services.db.session() as session:
        found = find_api_key(session, state.services.config.secret_key, key)
        persona_id = found.persona_id if found is not None else None
        key_id = found.id if found is not None else None
    if persona_id is None:
        # Wrong keys spend the address's budget, so guessing is slow too.
        _spend(guards.by_ip, request.remote_addr or "?", guards.limits.per_minute)
        raise OpenAIError(401, "Incorrect API key provided.", code="invalid_api_key")
    _spend(guards.by_key, str(key_id), guards.limits.key_per_minute)
    return Access(frozenset({persona_id}))


def _spend(limiter: SharedLimiter, key: str, per_minute: float) -> None:
    if not limiter.take(key):
        raise OpenAIError(
            429,
            "Rate limit reached; slow down.",
            "requests",
            "rate_limit_exceeded",
            retry_after_s=max(1, round(60 / per_minute)),
        )


@bp.get("/models")
def models() -> Response:
    """The personas this caller may use, as OpenAI models."""
    access = _caller()
    return jsonify(model_list(app_state().engine.personas_for(access)))


@bp.post("/chat/completions")
def chat_completions() -> Response:
    """The persona's next turn after the conversation in `messages`."""
    access = _caller()
    request.max_content_length = MAX_BODY_BYTES  # 413 past this, before reading
    parsed = parse_request(request.get_json(silent=True))
    persona, completions = app_state().engine.complete(parsed.completion, access)
    answer = Answer(persona, parsed.completion, completions)
    if not parsed.stream:
        return jsonify(answer.body())
    return Response(
        answer.events(parsed.include_usage),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
