"""The Facebook Messenger channel: a signed webhook in, the Send API out."""

from serving.channels.messenger.events import CHANNEL, MessengerEvent, parse_events
from serving.channels.messenger.send import MessengerOutput
from serving.channels.messenger.webhook import EXTENSION, MessengerChannel, register

name = CHANNEL

__all__ = [
    "CHANNEL",
    "EXTENSION",
    "MessengerChannel",
    "MessengerEvent",
    "MessengerOutput",
    "name",
    "parse_events",
    "register",
]
