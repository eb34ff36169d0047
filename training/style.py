"""Style figures of a set of replies: does the model write the way the persona does?"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence

_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff\u2764\u2b50]"
)
_EMOTICON = re.compile(r"(?:[:;=xX][-']?[()DPpOo3\]\[/\\|*]|<3|\^_?\^|:'\()")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_PUNCTUATION = set(".,!?;:…-\"'()")


def words(text: str) -> list[str]:
    """Lower-cased words of a text (letters and inner apostrophes)."""
    return [word.lower() for word in _WORD.findall(text)]


def style_stats(replies: Sequence[str]) -> dict[str, float]:
    """Length, emoji/emoticon, capitalisation and punctuation figures of replies."""
    if not replies:
        return {"replies": 0}
    lengths = [len(reply) for reply in replies]
    letters = [c for reply in replies for c in reply if c.isalpha()]
    chars = max(sum(lengths), 1)
    starts = [reply.lstrip()[:1] for reply in replies]
    return {
        "replies": len(replies),
        "mean_chars": statistics.fmean(lengths),
        "median_chars": float(statistics.median(lengths)),
        "p90_chars": float(sorted(lengths)[int(0.9 * (len(lengths) - 1))]),
        "mean_words": statistics.fmean(len(words(reply)) for reply in replies),
        "emoji_rate": _share(replies, lambda r: bool(_EMOJI.search(r))),
        "emoticon_rate": _share(replies, lambda r: bool(_EMOTICON.search(r))),
        "starts_upper": _share(starts, lambda s: s.isupper()),
        "upper_letters": sum(c.isupper() for c in letters) / max(len(letters), 1),
        "ends_punct": _share(replies, lambda r: r.rstrip()[-1:] in _PUNCTUATION),
        "punct_per_100": 100
        * sum(c in _PUNCTUATION for r in replies for c in r)
        / chars,
        "question_rate": _share(replies, lambda r: "?" in r),
        "exclaim_rate": _share(replies, lambda r: "!" in r),
    }


def word_overlap(generated: Sequence[str], real: Sequence[str]) -> float:
    """Share of the generated word tokens that the persona also used in `real`."""
    known = {word for reply in real for word in words(reply)}
    tokens = [word for reply in generated for word in words(reply)]
    return sum(word in known for word in tokens) / max(len(tokens), 1)


def _share(items: Sequence[str], test: Callable[[str], bool]) -> float:
    """Fraction of items for which `test` holds."""
    return sum(test(item) for item in items) / max(len(items), 1)
