"""The web chat channel: the /chat page, its WebSocket and the embeddable widget.

The page and the widget (`/static/widget.js`) speak the protocol in
`connection` over `/chat/ws`, answered by the same `ChatEngine` as Messenger
and the terminal. Before a WebSocket is accepted its `Origin` is checked (our own
pages always; other sites only if the persona's owner listed them) and the
connection caps are applied, so refusals are plain HTTP 403/503 answers.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    session,
)
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from serving.channels.base import per_app
from serving.channels.web.connection import (
    MAX_NAME_CHARS,
    ChatConnection,
    Visitor,
    finish,
)
from serving.channels.web.limits import MAX_FRAME_BYTES, WebGuards, WebLimits
from serving.channels.web.origins import embed_allowed, same_origin
from serving.channels.web.sessions import COOKIE_KEY, SessionTokens, new_session_id
from serving.personas import find_persona

log = logging.getLogger(__name__)

LIMITS_KEY = "MIMICAL_WEB_LIMITS"
PING_INTERVAL_S = 25
CLOSE_ERROR = 1011

web = Blueprint("web", __name__)
sock = Sock()

# The page allows nothing from elsewhere: no CDN, no inline script, no framing.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class WebState:
    """The app's web chat collaborators, built on first use from its config."""

    def __init__(self, app: Flask) -> None:
        limits = app.config.get(LIMITS_KEY) or WebLimits()
        self.guards = WebGuards(limits, app.extensions["mimical"].limits)
        self.tokens = SessionTokens(app.config["SECRET_KEY"])


def web_state() -> WebState:
    """This app's `WebState` (tests may set `MIMICAL_WEB_LIMITS` before first use)."""
    return per_app("mimical_web", WebState)


def register(app: Flask) -> None:
    """Add the chat page and its WebSocket to the app."""
    app.config.setdefault(
        "SOCK_SERVER_OPTIONS",
        {"max_message_size": MAX_FRAME_BYTES, "ping_interval": PING_INTERVAL_S},
    )
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.register_blueprint(web)


@web.get("/chat")
def chat_page() -> Response:
    """The chat page; gives the visitor a session id in the signed cookie."""
    if not isinstance(session.get(COOKIE_KEY), str):
        session[COOKIE_KEY] = new_session_id()
        session.permanent = True
    persona = request.args.get("persona", "")[:MAX_NAME_CHARS]
    response = current_app.make_response(render_template("chat.html", persona=persona))
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@web.get("/chat/personas")
def chat_personas() -> Any:
    """The personas the page offers as buttons: the public, ready ones."""
    engine = current_app.extensions["mimical"].engine
    return jsonify(personas=engine.public_personas())


@web.before_request
def guard_websocket() -> None:
    """Refuse a WebSocket from a page not allowed to embed, or past the caps."""
    if request.endpoint != "web.chat_socket":
        return
    origin = request.headers.get("Origin")
    persona = request.args.get("persona") or None
    if origin is not None and not same_origin(origin, request.host):
        if persona is None or not _may_embed(persona, origin):
            log.info("refused a chat WebSocket from %s", origin)
            abort(403, description="this page may not embed this chat")
    ip = request.remote_addr or "?"
    refusal = web_state().guards.gate.enter(ip)
    if refusal is not None:
        abort(503, description=refusal)
    g.web_chat_ip = ip


@web.teardown_request
def release_connection(_error: BaseException | None) -> None:
    """Count the WebSocket as closed, whatever ended it."""
    ip = g.pop("web_chat_ip", None)
    if ip is not None:
        web_state().guards.gate.leave(ip)


@sock.route("/chat/ws", bp=web)
def chat_socket(ws: Any) -> None:
    """One visitor's chat, until they leave; the outermost boundary for it."""
    state = web_state()
    cookie = session.get(COOKIE_KEY)
    origin = request.headers.get("Origin")
    ours = origin is None or same_origin(origin, request.host)
    pinned = request.args.get("persona") or None
    visitor = Visitor(
        ip=g.get("web_chat_ip", "?"),
        cookie_session=cookie if isinstance(cookie, str) and ours else None,
        pinned=pinned[:MAX_NAME_CHARS] if pinned else None,
    )
    engine = current_app.extensions["mimical"].engine
    connection = ChatConnection(ws, engine, state.tokens, state.guards, visitor)
    try:
        connection.run()
    except ConnectionClosed:
        pass
    except Exception:  # the connection's outermost boundary: log, close cleanly
        log.exception("web chat connection failed")
        try:
            ws.close(CLOSE_ERROR, "internal error")
        except ConnectionClosed:
            pass
    finally:
        finish(ws)


def _may_embed(name: str, origin: str) -> bool:
    """Whether the persona's owner allowed pages from `origin` to embed it."""
    engine = current_app.extensions["mimical"].engine
    with engine.db.session() as db_session:
        persona = find_persona(db_session, name)
        return persona is not None and embed_allowed(
            origin, list(persona.embed_origins or [])
        )
