"""The slash commands, as `mimical discord register` gives them to Discord.

`/talk` opens the conversation, picks a persona or says something to it;
`/personas` lists the public personas; `/restart` picks another. They work in
servers and in DMs with the bot. What each leads to is the engine's answer
(`serving.channels.discord.events` maps them onto its events).
"""

from __future__ import annotations

from typing import Any

from serving.channels.discord.rest import DiscordRest

STRING = 3  # option type
GUILD, BOT_DM = 0, 1  # interaction contexts where the commands are offered

COMMANDS: list[dict[str, Any]] = [
    {
        "name": "talk",
        "type": 1,
        "description": "Talk to a persona: pick one, or say something to yours.",
        "options": [
            {
                "type": STRING,
                "name": "message",
                "description": "What you say to the persona you talk to",
                "required": False,
                "max_length": 2000,
            },
            {
                "type": STRING,
                "name": "persona",
                "description": "The persona to talk to (by name)",
                "required": False,
                "max_length": 80,
            },
        ],
        "contexts": [GUILD, BOT_DM],
    },
    {
        "name": "personas",
        "type": 1,
        "description": "List the public personas.",
        "contexts": [GUILD, BOT_DM],
    },
    {
        "name": "restart",
        "type": 1,
        "description": "Stop talking to this persona and pick another.",
        "contexts": [GUILD, BOT_DM],
    },
]


def register_commands(
    rest: DiscordRest, application_id: str, guild_id: str | None = None
) -> list[str]:
    """Replace the app's commands with ours (one server's: at once); their names."""
    registered = rest.put_commands(application_id, COMMANDS, guild_id)
    return [str(command.get("name")) for command in registered]
