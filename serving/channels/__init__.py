"""Chat channels, one subpackage each, and their registration on the app.

A channel is input and output only (see `serving.channels.base`); the
conversation rules all live in `serving.chat`.
"""

from __future__ import annotations

from flask import Flask

from serving.channels import discord, messenger, openai, web
from serving.channels.base import (
    InputChannel,
    OutputChannel,
    PasswordForms,
    converse,
    deliver,
    ip_requester,
)

CHANNELS: tuple[InputChannel, ...] = (messenger, discord, web, openai)


def register_channels(app: Flask) -> None:
    """Attach every channel's routes to the app."""
    for channel in CHANNELS:
        channel.register(app)


__all__ = [
    "CHANNELS",
    "InputChannel",
    "OutputChannel",
    "PasswordForms",
    "converse",
    "deliver",
    "ip_requester",
    "register_channels",
]
