"""The gateway bot: direct messages and mentions, through discord.py's gateway.

discord.py keeps the gateway connection: HELLO, IDENTIFY, heartbeats, RESUME
after a dropped connection (a new IDENTIFY when the session is gone), backoff
between attempts. This module is the channel's input side on top of it: a DM,
or a message in a server that mentions the bot, becomes an engine event of that
person in that channel, answered by `converse` on a worker thread (the engine
and the model block) while the event loop keeps the connection alive. Replies,
typing and interaction answers go out through our `DiscordRest`, so the gateway
bot and the interactions endpoint share one rate-limit policy; discord.py's own
HTTP client only logs in and asks where the gateway is.

Interactions reach the bot too when the application has no interactions
endpoint URL; they are answered by the same `InteractionHandler`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import Counter

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from serving.channels.base import converse
from serving.channels.discord.events import chat_user
from serving.channels.discord.interactions import InteractionHandler
from serving.channels.discord.output import ChannelOutput
from serving.channels.discord.rest import DiscordApiError, DiscordRest
from serving.chat import ChatEngine, EventKind, Incoming
from serving.config import Config

log = logging.getLogger(__name__)


class BotTokenError(ValueError):
    """Discord refused the bot token."""


def point_discord_py_at(api_url: str) -> None:
    """Make discord.py call this API base (a stand-in in tests).

    discord.py builds every URL from the class attribute `Route.BASE`, the way
    its own API-version switch sets it; there is one bot per process, so setting
    it for the process is setting it for the bot.
    """
    Route.BASE = api_url.rstrip("/")


def intents() -> discord.Intents:
    """What the bot listens to: none of them privileged.

    Message content is not needed: Discord gives bots the content of DMs and of
    messages that mention them without the Message Content intent.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.dm_messages = True
    wanted.guild_messages = True
    return wanted


class PersonaBot(discord.Client):
    """Answers DMs, and mentions in servers, with the chat engine."""

    def __init__(
        self, engine: ChatEngine, rest: DiscordRest, handler: InteractionHandler
    ) -> None:
        super().__init__(intents=intents(), max_messages=None)
        self.engine = engine
        self.rest = rest
        self.handler = handler
        self.answered = 0  # events answered so far (tests wait on it)
        self._answered = threading.Condition()
        self._busy: Counter[str] = Counter()
        self._locks: dict[str, asyncio.Lock] = {}

    async def setup_hook(self) -> None:
        """Connect where the API says the gateway is (Discord's documented way)."""
        _shards, url, _limits = await self.http.get_bot_gateway()
        # discord.py opens its first connection at this class-wide default, and
        # goes back to it when a session cannot be resumed.
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def on_message(self, message: discord.Message) -> None:
        """A DM, or a server message that mentions the bot, goes to the engine."""
        incoming = self.incoming(message)
        if incoming is None:
            return
        in_dm = isinstance(message.channel, discord.DMChannel)
        output = ChannelOutput(
            self.rest, str(message.channel.id), None if in_dm else str(message.id)
        )
        key = incoming.user.user_id
        # One person's messages in one channel are answered one at a time.
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._busy[key] += 1
        try:
            async with lock:
                await asyncio.to_thread(self._converse, incoming, output)
        finally:
            self._busy[key] -= 1
            if not self._busy[key]:
                del self._busy[key], self._locks[key]

    def incoming(self, message: discord.Message) -> Incoming | None:
        """The engine event for a message, or None when it is not for us."""
        me = self.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return None  # joins, pins, calls...
        text = message.content
        if not isinstance(message.channel, discord.DMChannel):
            if not any(user.id == me.id for user in message.mentions):
                return None
            text = re.sub(rf"<@!?{me.id}>", " ", text)
        text = " ".join(text.split())
        if text:
            kind = EventKind.TEXT
        elif message.attachments or message.stickers:
            kind = EventKind.NON_TEXT
        else:
            kind = EventKind.OPEN  # a bare mention: "who is there?"
        user = chat_user(str(message.channel.id), str(message.author.id))
        return Incoming(user, kind, text)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Slash commands, buttons and forms that came over the gateway."""
        person = interaction.user
        payload = {
            "type": interaction.type.value,
            "id": str(interaction.id),
            "token": interaction.token,
            "application_id": str(interaction.application_id),
            "channel_id": str(interaction.channel_id),
            "user": {"id": str(person.id)} if person else None,
            "data": dict(interaction.data or {}),
        }
        answer = self.handler.answer(payload)
        if answer is None:
            return
        response, job = answer
        try:
            await asyncio.to_thread(
                self.rest.interaction_callback,
                payload["id"],
                interaction.token,
                response,
            )
        except DiscordApiError as error:
            log.warning("interaction not acknowledged: %s", error)
            if job is not None:
                self.handler.drop(job)
            return
        if job is not None:
            self.handler.start(job)

    def wait_answered(self, count: int, timeout_s: float = 20.0) -> bool:
        """Block until `count` events have been answered in all (for tests)."""
        with self._answered:
            return self._answered.wait_for(lambda: self.answered >= count, timeout_s)

    def _converse(self, incoming: Incoming, output: ChannelOutput) -> None:
        try:
            converse(self.engine, output, incoming)
        except DiscordApiError as error:
            log.warning("reply in channel %s dropped: %s", output.channel_id, error)
        except Exception:  # the job boundary of a worker thread
            log.exception("answering a Discord message failed")
        finally:
            with self._answered:
                self.answered += 1
                self._answered.notify_all()


def build_bot(config: Config, engine: ChatEngine) -> PersonaBot:
    """The bot for this deployment, pointed at its Discord API base."""
    # discord.py logs whole gateway payloads (message texts, a password typed in
    # a DM) at DEBUG: its loggers never go below INFO, whatever -v says.
    logging.getLogger("discord").setLevel(logging.INFO)
    point_discord_py_at(config.discord_api_url)
    rest = DiscordRest(config.discord_api_url, config.discord_bot_token)
    return PersonaBot(engine, rest, InteractionHandler(engine, rest))


def run_bot(config: Config, engine: ChatEngine) -> None:
    """Run the bot until interrupted (reconnecting and resuming as it goes)."""
    bot = build_bot(config, engine)
    try:
        # No handler of discord.py's own: our logging is already configured.
        bot.run(config.discord_bot_token or "", log_handler=None)
    except discord.LoginFailure:
        raise BotTokenError("Discord refused DISCORD_BOT_TOKEN") from None
    finally:
        bot.handler.close()
