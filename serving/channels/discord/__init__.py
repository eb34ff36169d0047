"""The Discord channel: an interactions endpoint and a gateway bot, one engine.

`register(app)` adds the interactions endpoint to the web app; the gateway bot
(`serving.channels.discord.gateway`, discord.py) runs as its own process with
`mimical discord run` and is imported only there.
"""

from serving.channels.discord.commands import COMMANDS, register_commands
from serving.channels.discord.events import CHANNEL, chat_user, interaction_events
from serving.channels.discord.interactions import InteractionHandler
from serving.channels.discord.output import ChannelOutput, InteractionOutput
from serving.channels.discord.rest import (
    DiscordApiError,
    DiscordRest,
    DiscordUnavailableError,
)
from serving.channels.discord.webhook import EXTENSION, DiscordChannel, register

name = CHANNEL

__all__ = [
    "CHANNEL",
    "COMMANDS",
    "EXTENSION",
    "ChannelOutput",
    "DiscordApiError",
    "DiscordChannel",
    "DiscordRest",
    "DiscordUnavailableError",
    "InteractionHandler",
    "InteractionOutput",
    "chat_user",
    "interaction_events",
    "name",
    "register",
    "register_commands",
]
