"""`mimical discord register` (slash commands) and `mimical discord run` (the bot)."""

from __future__ import annotations

import click

from serving.channels.discord import DiscordApiError, DiscordRest, register_commands
from serving.cli.chat import make_engine
from serving.cli.errors import UserError, user_errors
from serving.config import Config
from serving.services import open_services


def _config(*needed: str) -> Config:
    with user_errors():
        config = Config.from_env()
    fields = {
        "DISCORD_APPLICATION_ID": config.discord_application_id,
        "DISCORD_BOT_TOKEN": config.discord_bot_token,
    }
    missing = [name for name in needed if not fields[name]]
    if missing:
        raise UserError(f"set {' and '.join(missing)} (see .env.example)")
    return config


@click.group("discord")
def discord_group() -> None:
    """Talk to personas on Discord: register the slash commands, run the bot."""


@discord_group.command("register")
@click.option(
    "--guild",
    metavar="ID",
    default=None,
    help="Register in one server only (they appear at once there).",
)
def register_command(guild: str | None) -> None:
    """Register /talk, /personas and /restart with Discord."""
    config = _config("DISCORD_APPLICATION_ID", "DISCORD_BOT_TOKEN")
    rest = DiscordRest(config.discord_api_url, config.discord_bot_token)
    assert config.discord_application_id is not None
    try:
        names = register_commands(rest, config.discord_application_id, guild)
    except DiscordApiError as error:
        raise UserError(f"Discord refused the commands: {error}") from None
    where = f"server {guild}" if guild else "every server and DM"
    click.echo(f"Registered {', '.join('/' + n for n in names)} for {where}.")


@discord_group.command("run")
def run_command() -> None:
    """Run the gateway bot: it answers DMs, and mentions in servers."""
    config = _config("DISCORD_BOT_TOKEN")
    # Imported here: only the bot needs discord.py and its event loop.
    from serving.channels.discord.gateway import BotTokenError, run_bot

    with user_errors():
        services = open_services(config)
    try:
        run_bot(services.config, make_engine(services))
    except BotTokenError as error:
        raise UserError(str(error)) from None
