"""How good is a persona model: held-out bits per char against a baseline, and style.

Bits per character are measured on the persona's held-out replies given their
prompts (the conversation so far): only the reply's characters and its end-of-turn
marker are scored, for the LSTM and for an order-5 Kneser-Ney model trained on the
same training text. Style compares generated replies with the real ones.
Memorisation (`training.memorisation`) counts replies that copy others' words and
measures the exposure of the canaries the corpus inserted, if any.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from corpus import END_OF_TURN, Pair, encode_prompt, load_corpus
from training.generate import DEFAULT_TEMPERATURE, PersonaModel
from training.memorisation import memorisation
from training.ngram import KneserNey
from training.style import style_stats, word_overlap
from training.vocab import Vocabulary

NGRAM_ORDER = 5
MAX_SCORED_PAIRS = 2000
LN2 = math.log(2)


def evaluate(
    model_dir: str | Path,
    corpus_dir: str | Path,
    n_samples: int = 100,
    temperature: float = DEFAULT_TEMPERATURE,
    seed: int = 0,
) -> dict[str, Any]:
    """Figures of a model on a corpus's held-out pairs, as a JSON-ready dict."""
    started = time.monotonic()
    persona = PersonaModel.load(model_dir)
    corpus = load_corpus(corpus_dir)
    pairs, held_out = corpus.val_pairs, True
    if not pairs:  # a tiny corpus: say so rather than fail
        pairs, held_out = corpus.train_pairs, False
    pairs = pairs[:MAX_SCORED_PAIRS]
    pieces = reply_pieces(persona.vocab, pairs)
    ngram = KneserNey(corpus.train_text, NGRAM_ORDER, len(persona.vocab))
    sampled = pairs[:n_samples]
    histories = [pair.history() for pair in sampled]
    generated = persona.reply_batch(histories, temperature=temperature, seed=seed)
    real = [pair.response for pair in sampled]
    return {
        "persona": persona.persona,
        "held_out": held_out,
        "pairs_scored": len(pieces),
        "chars_scored": sum(len(reply) for _, reply in pieces),
        "model_bpc": model_bits_per_char(persona, pieces),
        "ngram_bpc": ngram.bits_per_char(pieces),
        "ngram_order": NGRAM_ORDER,
        "uniform_bpc": math.log2(len(persona.vocab)),
        "style": {
            "real": style_stats(real),
            "generated": style_stats(generated),
            "word_overlap": word_overlap(generated, [p.response for p in pairs]),
        },
        "examples": [
            {"prompt": pair.prompt, "real": pair.response, "generated": reply}
            for pair, reply in list(zip(sampled, generated, strict=True))[:5]
        ],
        "memorisation": memorisation(
            persona, corpus, histories, generated, temperature, seed
        ),
        "training": persona.figures,
        "eval_s": round(time.monotonic() - started, 2),
    }


def reply_pieces(
    vocab: Vocabulary, pairs: Sequence[Pair], max_turns: int = 6
) -> list[tuple[str, str]]:
    """(prompt, reply + end of turn) of each pair, both reduced to `vocab`; the
    units every bits-per-char figure of replies is measured on. The prompt holds
    the last `max_turns` turns."""
    pieces = []
    for pair in pairs:
        prompt = vocab.decode(vocab.encode(encode_prompt(pair.history(), max_turns)))
        reply = vocab.decode(vocab.encode(pair.response + END_OF_TURN))
        if len(reply) > 1:
            pieces.append((prompt, reply))
    return pieces


@torch.inference_mode()
def model_bits_per_char(
    persona: PersonaModel, pieces: Sequence[tuple[str, str]]
) -> float:
    """The LSTM's bits per character on the reply part of each piece."""
    bits, chars = 0.0, 0
    for prompt, reply in pieces:
        ids = persona.vocab.encode(prompt + reply)
        idx = torch.tensor([ids[:-1]])  # (1, T)
        logits, _, _ = persona.model(idx)  # (1, T, V)
        scored = logits[0, -len(reply) :]  # the positions that predict the reply
        targets = torch.tensor(ids[-len(reply) :])
        bits += F.cross_entropy(scored, targets, reduction="sum").item() / LN2
        chars += len(reply)
    return bits / max(chars, 1)


def format_eval_table(result: dict[str, Any]) -> str:
    """The figures of `evaluate` as a plain-text table."""
    lines = [
        f"persona {result['persona']}: {result['pairs_scored']} "
        f"{'held-out' if result['held_out'] else 'TRAINING (no held-out)'} replies, "
        f"{result['chars_scored']} chars",
        "",
        f"{'bits per char (replies)':<28}{'':>12}",
        f"{'  LSTM':<28}{result['model_bpc']:>12.3f}",
        f"{'  KN ' + str(result['ngram_order']) + '-gram baseline':<28}"
        f"{result['ngram_bpc']:>12.3f}",
        f"{'  uniform':<28}{result['uniform_bpc']:>12.3f}",
        "",
        f"{'style':<28}{'real':>12}{'generated':>12}",
    ]
    real, generated = result["style"]["real"], result["style"]["generated"]
    for key in real:
        if key in generated:
            lines.append(f"{'  ' + key:<28}{_cell(real[key])}{_cell(generated[key])}")
    lines.append(
        f"{'  word_overlap':<28}{'':>12}{result['style']['word_overlap']:>12.3f}"
    )
    lines += _memorisation_lines(result["memorisation"])
    for example in result["examples"][:3]:
        lines += [
            "",
            f"> {example['prompt'][:70]}",
            f"  real:      {example['real'][:70]}",
            f"  generated: {example['generated'][:70]}",
        ]
    return "\n".join(lines)


def _memorisation_lines(figures: dict[str, Any]) -> list[str]:
    """The memorisation rows of the eval table."""
    span = f"{figures['span_words']}+ words"
    lines = [
        "",
        f"{'memorisation':<28}{'sampled':>12}{'served':>12}",
        f"{'  copies of others (' + span + ')':<28}"
        f"{figures['copies_sampled']:>12.3f}{figures['copies_served']:>12.3f}",
    ]
    if figures["canaries"]:
        most = figures["exposure_max_bits"]
        lines.append(f"  canary exposure (bits, at most {most:.2f})")
    for canary in figures["canaries"]:
        name = f"    {canary['kind']} (x{canary['repeats']})"
        lines.append(f"{name:<28}{canary['exposure_bits']:>12.2f}")
    return lines


def _cell(value: float) -> str:
    """A right-aligned table cell: counts as integers, rates with 3 decimals."""
    return f"{value:>12d}" if isinstance(value, int) else f"{value:>12.3f}"
