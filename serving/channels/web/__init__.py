"""The web chat channel: the /chat page, its WebSocket and the embeddable widget."""

from serving.channels.web.connection import ChatConnection, Visitor, WebOutput
from serving.channels.web.limits import MAX_FRAME_BYTES, WebGuards, WebLimits
from serving.channels.web.routes import LIMITS_KEY, register
from serving.channels.web.sessions import CHANNEL, SessionTokens, store_exchange

name = CHANNEL

__all__ = [
    "CHANNEL",
    "LIMITS_KEY",
    "MAX_FRAME_BYTES",
    "ChatConnection",
    "SessionTokens",
    "Visitor",
    "WebGuards",
    "WebLimits",
    "WebOutput",
    "name",
    "register",
    "store_exchange",
]
