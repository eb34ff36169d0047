"""Chat channels (Messenger webhook, web chat) and their registration on the app."""

from __future__ import annotations

from flask import Flask

from serving.channels.base import OutputChannel, deliver
from serving.channels.messenger import register_messenger
from serving.channels.web import register_web


def register_channels(app: Flask) -> None:
    """Attach every channel's blueprint to the app (one line per channel)."""
    register_messenger(app)
    register_web(app)


__all__ = ["OutputChannel", "deliver", "register_channels"]
