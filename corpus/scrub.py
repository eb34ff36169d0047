"""Scrubbing personal data out of messages before anything is trained on them.

Phone numbers, e-mail addresses, links, payment-card numbers, IBANs and long digit
runs (codes, IDs) become typed placeholders (`corpus.encoding.PLACEHOLDERS`), so a
persona can learn that "my number is …" is followed by a phone number without ever
seeing one. Numbers people chat about stay: times, prices, years, dates, counts,
scores. Messages holding a phrase the owner blocked are left out whole.

Kinds are looked for in a fixed order, each in the text the previous ones left:
links first (they may hold an address or digits), then e-mail addresses, IBANs,
cards, phone numbers, and last any digit run still long enough to be a code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from corpus.encoding import PLACEHOLDERS
from corpus.message import Message

KINDS = ("url", "email", "iban", "card", "phone", "code")
# Numbers written without a country code are read as numbers of these regions (one
# national plan each: "US" covers all of +1, "GB" all of +44). With a country code
# (+33…, 0033…) a number of any country is found. Every region added is another
# chance that a plain number reads as a phone, so the list is short and extensible.
DEFAULT_PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "PL", "IN", "BR")
CODE_DIGITS = 6  # a digit run this long is a code or an ID; a year has only 4

_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+"
    r"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}/[^\s<>\"']*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
# Upper case only: otherwise "… 7034 is mine" would run into the IBAN's last group.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(
    r"(?<!\d)(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5})"
    r"(?!\d)"
)
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().\-/]{5,22}\d(?!\w)")
_CODE = re.compile(rf"(?<!\d)(?<!\d[.,])\d{{{CODE_DIGITS},}}(?![.,]?\d)")
_DATE = re.compile(r"\d{1,4}([-./])\d{1,2}\1\d{1,4}")
_DECIMAL = re.compile(r"\d+\.\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_TRAILING = ".,;:!?)]}'\""


class PrivacySettingsError(ValueError):
    """A block file or phone region the scrubber cannot use."""


@dataclass(frozen=True)
class PrivacySettings:
    """What the corpus takes out of a history before it is trained on."""

    keep_personal_data: bool = False  # the owner's private persona, for themselves
    blocked: tuple[str, ...] = ()  # words or phrases whose messages are left out
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS

    def __post_init__(self) -> None:
        unknown = set(self.phone_regions) - phonenumbers.SUPPORTED_REGIONS
        if unknown:
            raise PrivacySettingsError(
                f"unknown phone regions: {', '.join(sorted(unknown))}"
            )


def read_block_file(path: str | Path) -> tuple[str, ...]:
    """The phrases of a block file: one a line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise PrivacySettingsError(f"{path} is not UTF-8 text") from None
    return tuple(s for line in lines if (s := line.strip()) and not s.startswith("#"))


def scrub_messages(
    messages: Iterable[Message], settings: PrivacySettings
) -> tuple[list[Message], dict[str, object]]:
    """The messages without blocked ones, personal data replaced; and the report
    `corpus.json` keeps of what was done."""
    blocked = _phrase_pattern(settings.blocked)
    counts: Counter[str] = Counter({kind: 0 for kind in KINDS})
    kept, left_out = [], 0
    for message in messages:
        if blocked is not None and blocked.search(message.text):
            left_out += 1
            continue
        text = message.text
        if not settings.keep_personal_data:
            text = scrub_text(text, settings.phone_regions, counts)
        kept.append(Message(message.thread_id, message.sender, message.sent_at, text))
    report: dict[str, object] = {"personal_data": "kept"}
    if not settings.keep_personal_data:
        report = {
            "personal_data": "replaced",
            "replaced": dict(counts),
            "phone_regions": list(settings.phone_regions),
        }
    report |= {"blocked_phrases": len(settings.blocked), "blocked_messages": left_out}
    return kept, report


def scrub_text(
    text: str,
    regions: Iterable[str] = DEFAULT_PHONE_REGIONS,
    counts: Counter[str] | None = None,
) -> str:
    """Text with every kind of personal data replaced by its placeholder."""
    counts = Counter() if counts is None else counts
    regions = tuple(regions)
    for kind, pattern, check in _RULES:
        text = _replace(text, kind, pattern, check, regions, counts)
    return text


# Whether a match is that kind of data: (match, text, start, end, phone regions).
Check = Callable[[str, str, int, int, tuple[str, ...]], bool]


def _replace(
    text: str,
    kind: str,
    pattern: re.Pattern[str],
    check: Check,
    regions: tuple[str, ...],
    counts: Counter[str],
) -> str:
    """Every match of `pattern` that passes `check` replaced by the kind's
    placeholder; trailing punctuation of a link stays outside it."""

    def sub(match: re.Match[str]) -> str:
        found, tail = match.group(), ""
        if kind == "url":
            stripped = found.rstrip(_TRAILING)
            found, tail = stripped, found[len(stripped) :]
        if not check(found, text, match.start(), match.start() + len(found), regions):
            return match.group()
        counts[kind] += 1
        return PLACEHOLDERS[kind] + tail

    return pattern.sub(sub, text)


def _any(*_: object) -> bool:
    """Links and e-mail addresses: the pattern is the whole test."""
    return True


def _is_iban(found: str, *_: object) -> bool:
    """An IBAN passes the ISO 13616 check: moved to the end, mod 97 is 1."""
    compact = found.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def _is_card(found: str, text: str, start: int, end: int, *_: object) -> bool:
    """A card number passes the Luhn check and is not a list of years or a sum."""
    if _beside_currency(text, start, end) or _all_years(found):
        return False
    digits = [int(char) for char in found if char.isdigit()]
    odd = digits[-1::-2]
    even = [sum(divmod(2 * digit, 10)) for digit in digits[-2::-2]]
    return (sum(odd) + sum(even)) % 10 == 0


def _is_phone(
    found: str, text: str, start: int, end: int, regions: tuple[str, ...]
) -> bool:
    """A valid number with its country code, or in one of `regions`; never a date,
    a decimal, a list of years or an amount of money."""
    digits = sum(char.isdigit() for char in found)
    if not 7 <= digits <= 15 or _beside_currency(text, start, end):
        return False
    if _DECIMAL.fullmatch(found) or _all_years(found):
        return False
    if sum(len(group) == 1 for group in re.findall(r"\d+", found)) > 1:
        return False  # a count down or a list (5 6 7 8 9), not a number
    if any(_DATE.fullmatch(chunk) for chunk in found.split()):
        return False
    if found.startswith(("+", "00")):
        return _valid(found if found.startswith("+") else "+" + found[2:], None)
    return any(_valid(found, region) for region in regions)


def _is_code(_found: str, text: str, start: int, end: int, *_: object) -> bool:
    """A long digit run that is not an amount of money."""
    return not _beside_currency(text, start, end)


def _valid(number: str, region: str | None) -> bool:
    """phonenumbers' full check (length and prefixes of the numbering plan)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


def _all_years(found: str) -> bool:
    """Every group of digits is a year (1999 2000 2001, 1999-2024)."""
    groups = re.findall(r"\d+", found)
    return len(groups) > 1 and all(_YEAR.fullmatch(group) for group in groups)


def _beside_currency(text: str, start: int, end: int) -> bool:
    """Money: a currency sign or code just before or after the number."""
    before, after = text[max(0, start - 4) : start], text[end : end + 4]
    return bool(
        re.search(r"(?:[$€£¥₹]|\b[A-Z]{3}) ?$", before)
        or re.match(r" ?(?:[$€£¥₹]|[A-Z]{3}\b)", after)
    )


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-blind pattern for whole-word matches of any blocked phrase."""
    words = [r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases]
    words = [w for w in words if w]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


_RULES: tuple[tuple[str, re.Pattern[str], Check], ...] = (
    ("url", _URL, _any),
    ("email", _EMAIL, _any),
    ("iban", _IBAN, _is_iban),
    ("card", _CARD, _is_card),
    ("phone", _PHONE, _is_phone),
    ("code", _CODE, _is_code),
)
