"""Discord events in the engine's terms: who, what kind, what text.

Both ways in (the interactions endpoint and the gateway bot) key a conversation
by the channel and the person, so a user who mixes slash commands, buttons and
mentions in one channel has one conversation, and each server channel or DM has
its own. Wrong passwords count against the person, whichever channel they type
in. The slash commands map onto the engine's own words (`%show all`,
`%restart`); what they lead to is the engine's answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from serving.chat import RESTART, SHOW_ALL, ChatUser, EventKind, Incoming

CHANNEL = "discord"

# custom_ids of our components: Discord hands them back when a user clicks.
CHOOSE_PREFIX = "mimical:choose:"
PASSWORD_BUTTON = "mimical:password"
PASSWORD_FORM = "mimical:password-form"
PASSWORD_FIELD = "password"

# Interaction types and response types, as Discord numbers them.
PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5


def chat_user(channel_id: str, user_id: str) -> ChatUser:
    """One person in one Discord channel (a DM or a server channel)."""
    key, person = f"{channel_id}:{user_id}", f"{CHANNEL}:{user_id}"
    return ChatUser(CHANNEL, key, requester=person)


def interaction_user(payload: dict[str, Any]) -> ChatUser | None:
    """Who sent an interaction, and where (`member.user` in servers, `user` in DMs)."""
    member = payload.get("member")
    person = member.get("user") if isinstance(member, dict) else payload.get("user")
    channel = payload.get("channel_id")
    if channel is None and isinstance(payload.get("channel"), dict):
        channel = payload["channel"].get("id")
    if not isinstance(person, dict) or person.get("id") is None or channel is None:
        return None
    return chat_user(str(channel), str(person["id"]))


def interaction_events(payload: dict[str, Any]) -> list[Incoming]:
    """The engine events an interaction stands for (none: nothing to answer)."""
    user = interaction_user(payload)
    data = payload.get("data")
    if user is None or not isinstance(data, dict):
        return []
    kind = payload.get("type")
    if kind == COMMAND:
        return _command(user, data)
    if kind == COMPONENT:
        custom_id = str(data.get("custom_id", ""))
        if custom_id.startswith(CHOOSE_PREFIX):
            name = custom_id.removeprefix(CHOOSE_PREFIX)
            return [Incoming(user, EventKind.CHOOSE, name)]
        return []
    if kind == MODAL_SUBMIT and data.get("custom_id") == PASSWORD_FORM:
        password = next(_field_values(data.get("components"), PASSWORD_FIELD), "")
        return [Incoming(user, EventKind.PASSWORD, password)]
    return []


def _command(user: ChatUser, data: dict[str, Any]) -> list[Incoming]:
    """`/talk [persona] [message]`, `/personas`, `/restart` (others: the engine's)."""
    name = str(data.get("name", ""))
    options = {
        str(option.get("name")): str(option.get("value", ""))
        for option in data.get("options") or []
        if isinstance(option, dict)
    }
    if name == "personas":
        return [Incoming(user, EventKind.TEXT, SHOW_ALL)]
    if name == "restart":
        return [Incoming(user, EventKind.TEXT, RESTART)]
    if name != "talk":
        return [Incoming(user, EventKind.TEXT, f"%{name}")]
    events = []
    if options.get("persona", "").strip():
        events.append(Incoming(user, EventKind.CHOOSE, options["persona"]))
    if options.get("message", "").strip():
        events.append(Incoming(user, EventKind.TEXT, options["message"]))
    return events or [Incoming(user, EventKind.OPEN)]


def _field_values(components: Any, custom_id: str) -> Iterator[str]:
    """Values of a modal's text inputs with this id, at any depth (rows, labels)."""
    if isinstance(components, list):
        for item in components:
            yield from _field_values(item, custom_id)
    elif isinstance(components, dict):
        if components.get("custom_id") == custom_id and "value" in components:
            yield str(components["value"])
        for key in ("components", "component"):
            yield from _field_values(components.get(key), custom_id)
