"""Build the demo's Facebook-shaped Messenger export from Romeo and Juliet.

The play (public domain, from tinyshakespeare) becomes Romeo's inbox: speakers are
participants, scenes are conversations, grouped into threads by the person (other
than Romeo) who speaks most in them; Romeo, the owner, is in every thread. The
files are written the way Facebook writes them (newest first, long threads split,
UTF-8 bytes as `\\u00XX` escapes, one file with a BOM) with a few photos, unsent
and system messages, so the importer's every path runs on the demo. Same input,
same bytes.

    python scripts/make_sample_export.py [SOURCE] [OUTPUT]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scraper.text import facebook_mojibake

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO / ".." / "shared" / "data" / "tinyshakespeare.txt"
DEFAULT_OUTPUT = REPO / "serving" / "demo" / "sample_export"
PERSONA = "Romeo"
SEED = 1597  # the play's first quarto
START = datetime(2023, 7, 14, 17, 0, tzinfo=UTC)
MESSAGES_PER_FILE = 80  # Facebook uses 10,000; fewer here so threads split
LONGEST_MESSAGE = 220  # longer speeches are sent as several chat messages
BOM_THREAD = "Friar Laurence"  # its message_1.json starts with a BOM

# Everyone who speaks in Romeo and Juliet: the play is the longest run of
# speeches by these names that starts with Sampson.
CAST = frozenset(
    "Sampson Gregory Abraham Benvolio Tybalt Montague Prince Capulet Romeo Paris "
    "Servant Nurse Juliet Mercutio Chorus Peter Balthasar Apothecary Page".split()
) | {
    "Lady Montague", "Lady Capulet", "First Servant", "Second Servant",
    "Second Capulet", "Friar Laurence", "Friar John", "First Citizen",
    "Musician", "First Musician", "Second Musician", "Third Musician",
    "First Watchman", "Second Watchman", "Third Watchman",
}  # fmt: skip
_SPEAKER = re.compile(r"([A-Za-z][A-Za-z ]*):")


@dataclass(frozen=True, slots=True)
class Speech:
    """One speaker's lines, joined into a paragraph."""

    speaker: str
    text: str


@dataclass(slots=True)
class Thread:
    """A conversation partner's thread: its scenes in play order."""

    partner: str
    scenes: list[list[Speech]] = field(default_factory=list)

    def participants(self) -> list[str]:
        """Everyone who speaks in the thread, Romeo last as Facebook lists the owner."""
        names = {speech.speaker for scene in self.scenes for speech in scene}
        return sorted(names - {PERSONA}) + [PERSONA]

    def title(self) -> str:
        """The partner's name for a two-person chat, a group name otherwise."""
        return self.partner if len(self.participants()) == 2 else f"{self.partner} & co"


def read_play(source: Path) -> list[Speech]:
    """The speeches of Romeo and Juliet, speaker names display-cased."""
    speeches = []
    for block in source.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip("\n").split("\n")
        label = _SPEAKER.fullmatch(lines[0])
        if label and len(lines) > 1:
            name = " ".join(label[1].split()).title()
            speeches.append(Speech(name, " ".join(line.strip() for line in lines[1:])))
    start = next(i for i, s in enumerate(speeches) if s.speaker == "Sampson")
    end = start
    while end < len(speeches) and speeches[end].speaker in CAST:
        end += 1
    return speeches[start:end]


def split_scenes(play: list[Speech]) -> list[list[Speech]]:
    """Cut the play where the people talking change.

    A cut falls where the speakers of the next few speeches share nobody with the
    last few, or (in a scene already under way) at most one person among three or
    more; a lone speech (a soliloquy) stays with the scene before it.
    """
    scenes: list[list[Speech]] = [[play[0]]]
    for i in range(1, len(play)):
        near_before = {s.speaker for s in play[max(0, i - 4) : i]}
        near_after = {s.speaker for s in play[i : i + 4]}
        before = {s.speaker for s in play[max(0, i - 6) : i]}
        after = {s.speaker for s in play[i : i + 6]}
        shifted = (
            len(scenes[-1]) >= 8
            and len(before & after) <= 1
            and len(before | after) >= 3
            and min(len(before), len(after)) >= 2
        )
        chorus = "Chorus" in (play[i].speaker, play[i - 1].speaker)
        if chorus or not near_before & near_after or shifted:
            scenes.append([])
        scenes[-1].append(play[i])
    merged: list[list[Speech]] = []
    for scene in scenes:
        if merged and len(scene) == 1:
            merged[-1].extend(scene)
        else:
            merged.append(scene)
    return merged


def group_threads(
    scenes: list[list[Speech]],
) -> tuple[list[Thread], list[tuple[Thread, int]]]:
    """The scenes grouped by who talks most besides Romeo, and their play order.

    Romeo is a participant of every thread, as the owner of an export is, including
    the group chats where he only reads along.
    """
    threads: dict[str, Thread] = {}
    order: list[tuple[Thread, int]] = []
    for scene in scenes:
        scene = [s for s in scene if s.speaker != "Chorus"]
        others = Counter(s.speaker for s in scene if s.speaker != PERSONA)
        if not others:
            continue  # a soliloquy of Romeo's, said to nobody
        partner = others.most_common(1)[0][0]
        thread = threads.setdefault(partner, Thread(partner))
        thread.scenes.append(scene)
        order.append((thread, len(thread.scenes) - 1))
    return list(threads.values()), order


def chat_messages(text: str) -> list[str]:
    """A speech as the few chat messages a person would send, cut at sentences."""
    parts = re.split(r"(?<=[.!?;:])\s+", text)
    chunks = [parts[0]]
    for part in parts[1:]:
        if len(chunks[-1]) + 1 + len(part) <= LONGEST_MESSAGE:
            chunks[-1] += " " + part
        else:
            chunks.append(part)
    return chunks


def extras(thread: Thread, folder: str) -> dict[int, list[dict[str, object]]]:
    """The non-text messages of a thread, by the scene they close."""
    photo = {"photos": [{"uri": f"messages/inbox/{folder}/photos/1597.jpg"}]}
    found: dict[str, dict[int, list[dict[str, object]]]] = {
        "Juliet": {
            0: [{"sender_name": "Juliet", "content": "You are now connected on "
                 "Messenger"}, {"sender_name": "Juliet", **photo}],
            1: [{"sender_name": PERSONA, "is_unsent": True}],
        },
        "Benvolio": {
            0: [{"sender_name": PERSONA, **photo},
                {"sender_name": "Benvolio", "content": "The feast at Capulet\u2019s"
                 " \u2014 caf\u00e9 after?", "share": {"link": "https://verona.example"}}],
        },
        "Mercutio": {
            0: [{"sender_name": "Mercutio", "sticker": {"uri": "stickers/mab.png"}}],
            1: [{"sender_name": PERSONA, "is_unsent": True}],
        },
        "Nurse": {
            0: [{"sender_name": PERSONA, "content": "Romeo started a video chat.",
                 "type": "Call", "call_duration": 0}],
        },
    }  # fmt: skip
    return found.get(thread.partner, {})


def scene_records(
    thread: Thread, number: int, folder: str, clock: list[float], rng: random.Random
) -> list[dict[str, object]]:
    """One scene of a thread as messages, oldest first, with synthetic times.

    `clock` (seconds since START) is shared by all threads so the scenes keep the
    play's order across the inbox: seconds to minutes between messages, hours to
    days between scenes.
    """
    records: list[dict[str, object]] = []
    if number == 0 and thread.title() != thread.partner:
        clock[0] += rng.uniform(60, 600)
        text = f"{PERSONA} named the group {thread.title()}."
        records.append(_record(PERSONA, text, clock))
    for speech in thread.scenes[number]:
        for chunk in chat_messages(speech.text):
            if "sweet sorrow" in chunk:
                chunk += " \U0001f339"  # a 4-byte character through the mojibake
            pause = rng.uniform(300, 900) if rng.random() < 0.03 else 0.0
            clock[0] += 2 + len(chunk) / rng.uniform(4, 8) + pause
            record = _record(speech.speaker, chunk, clock)
            if "\U0001f339" in chunk:
                record["reactions"] = [{"reaction": "\u2764", "actor": PERSONA}]
            records.append(record)
    for extra in extras(thread, folder).get(number, []):
        clock[0] += rng.uniform(10, 120)
        records.append({**_record("", "", clock), **extra})
    clock[0] += rng.uniform(3, 60) * 3600
    return records


def _record(sender: str, content: str, clock: list[float]) -> dict[str, object]:
    stamp = START.timestamp() + clock[0]
    record: dict[str, object] = {
        "sender_name": sender,
        "timestamp_ms": int(stamp * 1000),
        "content": content,
        "type": "Generic",
        "is_geoblocked_for_viewer": False,
    }
    return {key: value for key, value in record.items() if value != ""}


def write_export(source: Path, output: Path) -> Counter[str]:
    """Write the export under `output/messages/inbox`; return a few figures."""
    rng = random.Random(SEED)
    threads, order = group_threads(split_scenes(read_play(source)))
    folders = {
        thread.partner: re.sub(r"[^a-z0-9]", "", thread.title().lower())
        + f"_{rng.randrange(10**9, 10**10)}"
        for thread in threads
    }
    records: dict[str, list[dict[str, object]]] = {t.partner: [] for t in threads}
    clock = [0.0]
    for thread, number in order:
        folder = folders[thread.partner]
        records[thread.partner] += scene_records(thread, number, folder, clock, rng)
    inbox = output / "messages" / "inbox"
    shutil.rmtree(output / "messages", ignore_errors=True)
    figures: Counter[str] = Counter()
    for thread in threads:
        folder = folders[thread.partner]
        newest_first = records[thread.partner][::-1]
        (inbox / folder).mkdir(parents=True)
        for number, first in enumerate(
            range(0, len(newest_first), MESSAGES_PER_FILE), start=1
        ):
            document = {
                "participants": [{"name": name} for name in thread.participants()],
                "messages": newest_first[first : first + MESSAGES_PER_FILE],
                "title": thread.title(),
                "is_still_participant": True,
                "thread_path": f"inbox/{folder}",
                "magic_words": [],
            }
            text = json.dumps(facebook_mojibake(document), indent=2)
            bom = "\ufeff" if thread.partner == BOM_THREAD and number == 1 else ""
            path = inbox / folder / f"message_{number}.json"
            path.write_text(bom + text + "\n", encoding="utf-8")
            figures["files"] += 1
            figures["bytes"] += path.stat().st_size
        figures["threads"] += 1
        figures["records"] += len(newest_first)
        figures["persona speeches"] += sum(
            s.speaker == PERSONA for scene in thread.scenes for s in scene
        )
    return figures


def main() -> None:
    """Parse the two optional paths and write the export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    figures = write_export(args.source, args.output)
    print(f"{args.output}: " + ", ".join(f"{v} {k}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
