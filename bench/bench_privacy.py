"""Privacy costs: scrubbing speed, and the verbatim index's size and lookup time.

Scrubbing is timed on the bundled sample export (Romeo and Juliet, few numbers) and
on synthetic chat where one message in four holds a phone number, an address or a
link. The verbatim index is built from the sample corpus's other speakers and from
a synthetic history of `--words` words of others' turns (Zipf-distributed words,
about 5 characters each), and looked up as generation does it: the 8 candidates of
one reply, 200 characters each, in one call. Prints figures, never fails.

    python bench/bench_privacy.py [--words 2000000]
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import click
import numpy as np

import corpus
import scraper
from corpus import END_OF_TURN, OTHER_TURN
from training.rerank import DEFAULT_CANDIDATES
from training.verbatim import VerbatimIndex

SAMPLE_EXPORT = Path(__file__).resolve().parents[1] / "serving/demo/sample_export"
CHATTY = [
    "hey are you coming to the party tonight? it starts at 9",
    "lol ok",
    "call me at (415) 555-2671 when you get there",
    "https://youtu.be/dQw4w9WgXcQ ha, and mail me at jane@example.com",
]


def per_second(count: int, run: object) -> float:
    """How many of `count` items `run()` handles per second."""
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return count / (time.perf_counter() - started)


def synthetic_history(words: int, rng: random.Random) -> str:
    """An encoded training text whose other speakers wrote `words` words."""
    vocabulary = ["".join(rng.choices("etaoinshrdlu", k=rng.randint(1, 8))) for _ in
                  range(20_000)]  # fmt: skip
    weights = 1 / np.arange(1, len(vocabulary) + 1)  # Zipf: chat reuses words
    drawn = rng.choices(vocabulary, weights=weights.tolist(), k=words)
    turns = [" ".join(drawn[i : i + 12]) for i in range(0, words, 12)]
    return "".join(f"{OTHER_TURN}{turn}{END_OF_TURN}" for turn in turns)


def lookup_ms(index: VerbatimIndex, rng: random.Random, repeats: int = 200) -> float:
    """Milliseconds to check one reply's candidates (new words each time)."""
    letters = "etaoinshrdlu "
    batches = [
        ["".join(rng.choices(letters, k=200)) for _ in range(DEFAULT_CANDIDATES)]
        for _ in range(repeats)
    ]
    started = time.perf_counter()
    for batch in batches:
        index.copies(batch)
    return (time.perf_counter() - started) / repeats * 1000


@click.command()
@click.option("--words", default=2_000_000, show_default=True, help="Synthetic size.")
def main(words: int) -> None:
    """Print scrubbing and verbatim-index figures."""
    rng = random.Random(0)
    messages, _ = scraper.import_export(SAMPLE_EXPORT)
    texts = [message.text for message in messages]
    rate = per_second(len(texts), lambda: [corpus.scrub_text(t) for t in texts])
    print(f"scrub, sample export ({len(texts)} messages): {rate:,.0f} messages/s")
    chat = CHATTY * 5000
    rate = per_second(len(chat), lambda: [corpus.scrub_text(t) for t in chat])
    print(f"scrub, chat with personal data in 1 of 4 messages: {rate:,.0f} messages/s")

    persona = corpus.guess_persona(messages)
    built = corpus.build_corpus(messages, Path("var/bench_privacy_corpus"), persona)
    for name, text in (
        ("sample corpus", built.train_text),
        (f"synthetic, {words:,} words of others", synthetic_history(words, rng)),
    ):
        started = time.perf_counter()
        index = VerbatimIndex.from_training_text(text)
        built_s = time.perf_counter() - started
        print(
            f"verbatim index, {name}: {len(index):,} spans, "
            f"{index.nbytes / 2**20:.2f} MiB, built in {built_s:.2f} s, "
            f"{lookup_ms(index, rng):.3f} ms to check {DEFAULT_CANDIDATES} "
            "200-char candidates"
        )


if __name__ == "__main__":
    main()
