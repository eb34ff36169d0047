"""Which Messenger messages are not somebody writing: calls, media, notices.

Facebook writes its notices as ordinary messages ("Romeo named the group …"), so
they are recognised by wording, anchored on the sender's name (or "You") to keep
people's own sentences out of the net.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Facebook's media keys and the kind each is counted as in the report.
MEDIA_KINDS = {
    "photos": "photo",
    "videos": "video",
    "audio_files": "audio",
    "gifs": "gif",
    "sticker": "sticker",
    "files": "file",
    "share": "share",
}
MEDIA_KEYS = frozenset(MEDIA_KINDS)
SYSTEM_TYPES = frozenset({"Subscribe", "Unsubscribe", "Payment", "Plan", "Poll"})

NOTICES = (
    "You are now connected on Messenger",
    "You can now message and call each other",
    "You're now friends on Facebook",
    "Say hi to your new Facebook friend",
    "Messages and calls are secured with end-to-end encryption",
    "Messages and calls are end-to-end encrypted",
    "This message was unsent",
)
_ACTIONS = re.compile(
    r"(?:set|cleared) (?:the|your|his own|her own|their own) nickname"
    r"|(?:named|renamed) the group"
    r"|removed the group name"
    r"|changed the (?:group photo|group name|chat theme|theme|emoji|chat emoji"
    r"|quick reaction|word effect)"
    r"|set the (?:quick reaction|emoji|theme)"
    r"|added .+ to the group\.?$"
    r"|removed .+ from the group\.?$"
    r"|(?:left|created) the group"
    r"|started (?:a video chat|a call|an audio call|a video call|sharing video)"
    r"|joined the (?:video chat|call|video call)"
    r"|missed (?:a|your|an) (?:call|video chat|audio call|video call)"
    r"|called you"
    r"|sent an? (?:attachment|photo|link|GIF|sticker|video|voice message"
    r"|live location)\.?$"
    r"|waved (?:at|hello)"
    r"|pinned a message"
    r"|unsent a message"
    r"|turned (?:on|off) disappearing messages"
    r"|reacted .+ to (?:your|a|their|his|her) message"
    r"|shared a location"
)


def notice_reason(sender: str, text: str) -> str | None:
    """'system' when `text` is one of Messenger's notices, else None."""
    if text.startswith(NOTICES):
        return "system"
    for who in (sender, "You"):
        if text.startswith(who + " ") and _ACTIONS.match(text, len(who) + 1):
            return "system"
    return None


def system_reason(raw: Mapping[str, object], sender: str, text: str) -> str | None:
    """Why a Facebook JSON message is not kept, or None to keep it."""
    kind = raw.get("type")
    kind = kind if isinstance(kind, str) else None
    if kind == "Call" or "call_duration" in raw:
        return "call"
    if kind in SYSTEM_TYPES:
        return "system"
    if not text:
        return "media-only" if not MEDIA_KEYS.isdisjoint(raw) else "empty"
    reason = notice_reason(sender, text)
    if reason and not MEDIA_KEYS.isdisjoint(raw):
        return "media-only"  # "Romeo sent a photo." with the photo attached
    return reason
