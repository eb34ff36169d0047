"""Which Messenger messages are not somebody writing: calls, media, notices.

Facebook writes its notices as ordinary messages ("Romeo named the group …"), so
they are recognised by wording (`scraper.meta_notices`, in each language we
read), anchored on the sender's name (or "You") to keep people's own sentences
out of the net.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scraper.meta_notices import LANGUAGES

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

NOTICES = tuple(text for language in LANGUAGES for text in language.notices)
_YOU = tuple(word for language in LANGUAGES for word in language.you)
_ACTIONS = re.compile(
    "|".join(action for language in LANGUAGES for action in language.actions)
)
_OWN = re.compile("|".join(own for language in LANGUAGES for own in language.own))
# The first word of every notice that does not open with the sender's name.
NOTICE_OPENERS = frozenset(
    text.split(" ", 1)[0]
    for text in (
        *NOTICES,
        *_YOU,
        *(own for language in LANGUAGES for own in language.own),
    )
)
NOTICE_INITIALS = frozenset(word[0] for word in NOTICE_OPENERS)  # a cheaper first test


def notice_reason(sender: str, text: str) -> str | None:
    """'system' when `text` is one of Messenger's or Instagram's notices, else None."""
    if text.startswith(NOTICES) or _OWN.match(text):
        return "system"
    for who in (sender, *_YOU):
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
