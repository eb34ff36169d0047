"""What a persona memorised of its training history: two figures for `mimical eval`.

1. Copies: the share of replies that repeat a span of `SPAN_WORDS` words of someone
   else's turn in the training text, for replies sampled straight from the model
   (one sample, no filter: what it would say) and for replies as served (reranked,
   with the verbatim filter: what people read).
2. Canary exposure, after Carlini et al., "The Secret Sharer" (2019): each canary
   the corpus inserted (`corpus.canaries`) is scored by the model's likelihood in
   the exchange it was inserted in, and ranked against `EXPOSURE_CANDIDATES` random
   strings of the same shape. Exposure is log2(candidates + 1) - log2(rank), in
   bits: the most, log2(1001) = 9.97, means the canary beat every other string (it
   was learnt); a canary the model never saw ranks anywhere, about 1.4 bits on
   average. Ties count as half above, half below, so a model that cannot tell the
   strings apart scores about 1 bit, not the maximum.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from corpus import Canary, Corpus, Turn, encode_prompt, random_secret, read_canaries
from training.generate import DEFAULT_TEMPERATURE, PersonaModel
from training.rerank import BaseScorer
from training.verbatim import VerbatimIndex

EXPOSURE_CANDIDATES = 1000


def memorisation(
    persona: PersonaModel,
    corpus: Corpus,
    histories: Sequence[Sequence[Turn]],
    served: Sequence[str],
    temperature: float = DEFAULT_TEMPERATURE,
    seed: int = 0,
) -> dict[str, Any]:
    """Both figures, as a JSON-ready dict; `served` are the replies the persona
    gave to `histories`."""
    index = persona.verbatim or VerbatimIndex.from_training_text(corpus.train_text)
    bare = PersonaModel(persona.model, persona.vocab, persona.manifest)  # no filter
    sampled = bare.reply_batch(
        histories, temperature=temperature, seed=seed, candidates=1
    )
    rng = random.Random(seed)
    return {
        "span_words": index.span_words,
        "copies_sampled": verbatim_share(sampled, index),
        "copies_served": verbatim_share(served, index),
        "replies": len(sampled),
        "exposure_candidates": EXPOSURE_CANDIDATES,
        "exposure_max_bits": round(math.log2(EXPOSURE_CANDIDATES + 1), 3),
        "canaries": [
            {
                "kind": canary.kind,
                "repeats": canary.repeats,
                "exposure_bits": round(exposure(persona, canary, rng), 3),
            }
            for canary in read_canaries(corpus.manifest)
        ],
    }


def verbatim_share(replies: Sequence[str], index: VerbatimIndex) -> float:
    """The share of replies that copy a span of the index (0 when there are none)."""
    if not replies:
        return 0.0
    return sum(index.copies(replies)) / len(replies)


def exposure(
    persona: PersonaModel,
    canary: Canary,
    rng: random.Random,
    candidates: int = EXPOSURE_CANDIDATES,
) -> float:
    """The canary's exposure in bits, against `candidates` random strings of its
    shape, each scored after the exchange the canary was inserted in."""
    context = encode_prompt([Turn("friend", False, canary.prompt)]) + canary.prefix
    others = [random_secret(canary.kind, rng) for _ in range(candidates)]
    # The likelihood of a string after a prompt is what reranking computes for the
    # base model; here it is the persona's own model that is asked.
    scorer = BaseScorer(persona.model, persona.vocab)
    scores = scorer.log_probs([context], [[canary.secret, *others]])[0]
    secret, rest = scores[0], scores[1:]
    above = sum(score > secret for score in rest)
    ties = sum(score == secret for score in rest)
    rank = 1 + above + ties / 2
    return math.log2(candidates + 1) - math.log2(rank)
