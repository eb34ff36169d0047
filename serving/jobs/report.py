"""The "does it sound like you?" report, made at the end of a job and stored with
the artifact (`<artifact key>/report/report.json`).

It is made while the corpus still exists (it is deleted when the job ends):
`training.evaluate`'s bits per character of held-out replies against its
baselines, the style of generated against real replies, examples side by
side, and the training loss history.

The style part is measured here, with `training.style`'s own functions, on one
sample of replies generated the way `evaluate` does (same pairs, temperature and
seed): the report also needs laughter, which `style_stats` does not count, and
`evaluate` does not return the replies it generates. Asking `evaluate` for no
sample and generating once here costs one generation pass instead of two.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import training
from corpus import Pair, load_corpus
from training import PersonaModel
from training.evaluate import MAX_SCORED_PAIRS
from training.style import style_stats, word_overlap

REPORT_DIR = "report"  # a subtree of the artifact: read without the weights
REPORT_FILE = "report.json"
REPORT_VERSION = 1
# Replies generated to compare styles: enough for rates, quick on a CPU.
EVAL_SAMPLES = 40
EVAL_TEMPERATURE, EVAL_SEED = training.DEFAULT_TEMPERATURE, 0  # evaluate's defaults
EXAMPLES = 5  # side by side on the owner's page
MAX_HISTORY_POINTS = 300
_LAUGH = re.compile(
    r"\b(?:a?(?:ha){2,}h?|(?:he){2,}|(?:hi){2,}|lo+l+|lmf?a+o+|rofl|x+d+)\b"
    r"|[\U0001f602\U0001f923\U0001f606\U0001f639]",
    re.IGNORECASE,
)


def report_key(artifact_key: str) -> str:
    """Where an artifact's report is stored."""
    return f"{artifact_key}/{REPORT_DIR}"


def write_report(
    model_dir: Path,
    corpus_dir: Path,
    history: Sequence[dict[str, float]],
    out_dir: Path,
) -> dict[str, Any]:
    """Evaluate the model on its corpus and write `report.json` into `out_dir`."""
    figures = training.evaluate(model_dir, corpus_dir, n_samples=0)
    figures.pop("training", None)  # the manifest's, already in the persona figures
    pairs = held_out_pairs(corpus_dir)
    sampled = pairs[:EVAL_SAMPLES]
    generated = PersonaModel.load(model_dir).reply_batch(
        [pair.history() for pair in sampled],
        temperature=EVAL_TEMPERATURE,
        seed=EVAL_SEED,
    )
    real = [pair.response for pair in sampled]
    figures["style"] = {
        "real": style_stats(real),
        "generated": style_stats(generated),
        "word_overlap": word_overlap(generated, [pair.response for pair in pairs]),
        "laughter": {"real": laugh_rate(real), "generated": laugh_rate(generated)},
    }
    figures["examples"] = [
        {"prompt": pair.prompt, "real": pair.response, "generated": reply}
        for pair, reply in list(zip(sampled, generated, strict=True))[:EXAMPLES]
    ]
    report = {
        "version": REPORT_VERSION,
        "evaluation": figures,
        "history": thin_history(history),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / REPORT_FILE).write_text(json.dumps(report, ensure_ascii=False))
    return report


def held_out_pairs(corpus_dir: Path) -> list[Pair]:
    """The pairs `evaluate` scores: held-out ones, or training ones if none."""
    corpus = load_corpus(corpus_dir)
    return (corpus.val_pairs or corpus.train_pairs)[:MAX_SCORED_PAIRS]


def headline(report: dict[str, Any]) -> dict[str, Any]:
    """The report's figures a persona carries with it (shown to anyone)."""
    figures = report["evaluation"]
    return {
        "reply_bpc": round(figures["model_bpc"], 4),
        "baseline_bpc": round(figures["ngram_bpc"], 4),
    }


def laugh_rate(replies: Sequence[str]) -> float:
    """Share of replies that laugh (haha, lol, lmao, xD, 😂 ...)."""
    return sum(bool(_LAUGH.search(reply)) for reply in replies) / max(len(replies), 1)


def thin_history(history: Sequence[dict[str, float]]) -> list[dict[str, float]]:
    """At most a few hundred points: every validation point, training ones thinned."""
    train = [point for point in history if "val_bpc" not in point]
    stride = max(1, -(-len(train) // MAX_HISTORY_POINTS))
    kept = {id(point) for point in train[::stride]}
    return [
        {k: round(v, 4) for k, v in point.items()}
        for point in history
        if "val_bpc" in point or id(point) in kept
    ]
