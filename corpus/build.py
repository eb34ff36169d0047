"""Build a corpus folder from messages, and load one back.

A corpus folder holds (format `mimical.corpus`, version 1):
- `corpus.json`: format, version, persona, settings and statistics; `privacy`, what
  was done with personal data (how many of each kind were replaced, or that it was
  kept; how many messages a blocked phrase left out); `canaries`, the made-up
  secrets inserted to measure memorisation (none unless asked for);
- `train.txt` / `val.txt`: the training text, conversations encoded with
  `corpus.encoding` and concatenated;
- `pairs.train.jsonl` / `pairs.val.jsonl`: one `Pair` record a line.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from corpus.canaries import canary_messages, is_canary_thread, make_canaries
from corpus.clean import clean_text
from corpus.encoding import ENCODING_VERSION, encode_conversation
from corpus.message import Message, forwarded_origin
from corpus.pairs import (
    DEFAULT_CONTEXT_TURNS,
    Pair,
    PersonaNotFoundError,
    guess_persona,
    make_pairs,
)
from corpus.scrub import PrivacySettings, scrub_messages
from corpus.split import split_by_key
from corpus.stats import CorpusStats, compute_stats
from corpus.turns import DEFAULT_GAP, Turn, merge_turns, split_conversations

CORPUS_FORMAT = "mimical.corpus"
CORPUS_VERSION = 1


class CorpusFormatError(ValueError):
    """The folder is not a corpus we can read."""


class EmptyCorpusError(ValueError):
    """The messages hold nothing the persona said in reply to anyone."""


@dataclass(frozen=True)
class Corpus:
    """A loaded corpus folder."""

    persona: str
    train_text: str
    val_text: str
    train_pairs: list[Pair]
    val_pairs: list[Pair]
    manifest: dict[str, object] = field(default_factory=dict)


def build_corpus(
    messages: Iterable[Message],
    out_dir: str | Path,
    me: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    val_fraction: float = 0.1,
    context_turns: int = DEFAULT_CONTEXT_TURNS,
    persona_only: bool = False,
    privacy: PrivacySettings | None = None,
    canaries: int = 0,
    canary_seed: int | None = None,
) -> Corpus:
    """Clean, scrub, segment, pair and split messages, and write the corpus folder.

    The training text holds every conversation unless `persona_only`; pairs come
    only from conversations where the persona speaks. Personal data is replaced by
    placeholders unless `privacy` keeps it. With `canaries`, made-up secrets are
    inserted that many times each, always on the training side.
    """
    privacy = privacy or PrivacySettings()
    cleaned, privacy_report = scrub_messages(
        (
            Message(m.thread_id, m.sender, m.sent_at, text)
            for m in map(_unforward, messages)
            if (text := clean_text(m.text))
        ),
        privacy,
    )
    persona = me if me is not None else guess_persona(cleaned)
    if not any(message.sender == persona for message in cleaned):
        senders = sorted({message.sender for message in cleaned})
        raise PersonaNotFoundError(
            f"{persona!r} wrote none of these messages; senders are: "
            + ", ".join(senders[:10])
            + (" …" if len(senders) > 10 else "")
        )

    rng = random.Random(canary_seed)
    inserted = make_canaries(canaries, rng) if canaries > 0 else []
    # Scrubbed like real secrets would be; no blocked phrase may drop them.
    secrets, _ = scrub_messages(
        canary_messages(inserted, persona), replace(privacy, blocked=())
    )
    cleaned += secrets

    conversations: list[list[Turn]] = []
    with_persona: list[list[Turn]] = []
    others: list[list[Turn]] = []
    canary_convs: list[list[Turn]] = []
    for conversation in split_conversations(cleaned, gap):
        turns = merge_turns(conversation, persona)
        conversations.append(turns)
        if is_canary_thread(conversation[0].thread_id):
            canary_convs.append(turns)
        elif any(turn.is_persona for turn in turns):
            with_persona.append(turns)
        else:
            others.append(turns)
    train_convs, val_convs = _split(with_persona, val_fraction)
    if not persona_only:
        # Conversations the persona only read still teach the model their language.
        other_train, other_val = _split(others, val_fraction)
        train_convs, val_convs = train_convs + other_train, val_convs + other_val
    train_convs = _spread(train_convs, canary_convs)

    train_pairs = [p for turns in train_convs for p in make_pairs(turns, context_turns)]
    val_pairs = [p for turns in val_convs for p in make_pairs(turns, context_turns)]
    if not train_pairs:
        raise EmptyCorpusError(f"{persona!r} has no replies to train on")
    train_text = "".join(encode_conversation(turns) for turns in train_convs)
    val_text = "".join(encode_conversation(turns) for turns in val_convs)
    stats = compute_stats(
        cleaned,
        persona,
        len(conversations),
        len(with_persona) + len(canary_convs),
        train_pairs,
        val_pairs,
        train_text,
        val_text,
    )
    return write_corpus(
        Path(out_dir),
        persona=persona,
        gap=gap,
        val_fraction=val_fraction,
        context_turns=context_turns,
        stats=stats,
        train_text=train_text,
        val_text=val_text,
        train_pairs=train_pairs,
        val_pairs=val_pairs,
        extra={
            "persona_only": persona_only,
            "privacy": privacy_report,
            "canaries": [canary.to_dict() for canary in inserted],
        },
    )


def _unforward(message: Message) -> Message:
    """A forwarded message, given back to its author: the persona only passed it
    on, so it is context the persona replies to, never words it learns to say."""
    forwarded = forwarded_origin(message.text)
    if forwarded is None:
        return message
    origin, text = forwarded
    return Message(message.thread_id, f"{origin} (forwarded)", message.sent_at, text)


def _split(
    conversations: list[list[Turn]], val_fraction: float
) -> tuple[list[list[Turn]], list[list[Turn]]]:
    """Train/validation by whole conversation, keyed by how each one starts."""
    keys = [f"{t[0].sender}|{t[0].started_at}|{t[0].text[:40]}" for t in conversations]
    return split_by_key(conversations, keys, val_fraction)


def _spread(
    conversations: list[list[Turn]], inserted: list[list[Turn]]
) -> list[list[Turn]]:
    """`conversations` with `inserted` placed evenly among them, as a secret
    would turn up now and then in a history."""
    out = list(conversations)
    for n, turns in enumerate(inserted):
        at = round((n + 1) * len(conversations) / (len(inserted) + 1)) + n
        out.insert(at, turns)
    return out


def write_corpus(
    out: Path,
    *,
    persona: str,
    gap: timedelta,
    val_fraction: float,
    context_turns: int,
    stats: CorpusStats,
    train_text: str,
    val_text: str,
    train_pairs: list[Pair],
    val_pairs: list[Pair],
    extra: dict[str, object] | None = None,
) -> Corpus:
    """Write a corpus folder (corpus.json last: its presence means complete)."""
    manifest: dict[str, object] = {
        "format": CORPUS_FORMAT,
        "version": CORPUS_VERSION,
        "encoding_version": ENCODING_VERSION,
        "persona": persona,
        "gap_minutes": gap.total_seconds() / 60,
        "val_fraction": val_fraction,
        "context_turns": context_turns,
        "stats": stats.to_dict(),
        **(extra or {}),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "train.txt").write_text(train_text, encoding="utf-8")
    (out / "val.txt").write_text(val_text, encoding="utf-8")
    for name, pairs in (
        ("pairs.train.jsonl", train_pairs),
        ("pairs.val.jsonl", val_pairs),
    ):
        with open(out / name, "w", encoding="utf-8") as lines:
            for pair in pairs:
                lines.write(json.dumps(pair.to_dict(), ensure_ascii=False) + "\n")
    (out / "corpus.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return Corpus(persona, train_text, val_text, train_pairs, val_pairs, manifest)


def _read_pairs(path: Path) -> list[Pair]:
    with open(path, encoding="utf-8") as lines:
        return [Pair.from_dict(json.loads(line)) for line in lines if line.strip()]


def load_corpus(path: str | Path) -> Corpus:
    """Read a corpus folder written by `build_corpus`."""
    folder = Path(path)
    try:
        manifest = json.loads((folder / "corpus.json").read_text())
    except FileNotFoundError:
        raise CorpusFormatError(
            f"{folder} has no corpus.json; build one with `mimical corpus`"
        ) from None
    except json.JSONDecodeError as error:
        raise CorpusFormatError(f"{folder}/corpus.json is not JSON: {error}") from None
    if (
        manifest.get("format") != CORPUS_FORMAT
        or manifest.get("version") != CORPUS_VERSION
    ):
        raise CorpusFormatError(
            f"{folder} is not a {CORPUS_FORMAT} v{CORPUS_VERSION} folder"
        )
    try:
        return Corpus(
            persona=str(manifest["persona"]),
            train_text=(folder / "train.txt").read_text(encoding="utf-8"),
            val_text=(folder / "val.txt").read_text(encoding="utf-8"),
            train_pairs=_read_pairs(folder / "pairs.train.jsonl"),
            val_pairs=_read_pairs(folder / "pairs.val.jsonl"),
            manifest=manifest,
        )
    except (OSError, KeyError, ValueError) as error:
        raise CorpusFormatError(f"{folder}: incomplete corpus ({error})") from None
