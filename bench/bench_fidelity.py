"""Does a persona sound like its person? Five real people, rebuilt and compared.

For chitchat-dataset's five most prolific speakers (who never enter the base
model), each person's conversations are split 90/10 (one split for the whole
corpus, so a chat held out for one person is held out for all). The 90% become a
Facebook-export-shaped folder owned by the person, with their chat partners as
friends; conversations with speakers ranked 6-10 are left out (those people stay
unused). The real pipeline builds the persona (import, corpus, train from the base
model for the budget), then answers the prompts of the held-out 10%. Reported per
person and overall, as a table and JSON:

- bits/char of the real held-out replies given their prompts: the persona from the
  base model, from scratch (same budget), a Kneser-Ney 5-gram on the persona's
  corpus, and the base model alone;
- authorship: a char n-gram TF-IDF + logistic regression classifier trained on the
  five people's training replies; accuracy on generated vs real held-out replies,
  and whether each persona's pooled replies name the right person;
- real-word rate: share of reply words found in the persona corpus' vocabulary;
- median reply length, generated vs real.

Replies are generated for `--samples` held-out prompts spread evenly over all of
them, and compared with the real replies to the same prompts.

`--ablation` instead fine-tunes one person several ways (learning rate, friends'
weight, layers) and prints the held-out bits/char of each: the evidence for
training.config.FINETUNE_SETTINGS. A benchmark, never a test: it prints figures.

    python bench/bench_fidelity.py [--minutes 3] [--people 5] [--samples 200]
    python bench/bench_fidelity.py --keep DIR --reuse   # again, on the models in DIR
    python bench/bench_fidelity.py --ablation [--person 3] [--max-steps 1200]

`--max-steps` trains a fixed number of steps instead of the time budget, so a
comparison made on a busy machine is still fair (3 minutes give about 900 steps
on 2 idle cores with bfloat16).

Needs the bench extra: pip install -e '.[bench]' (chitchat-dataset, scikit-learn).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import corpus  # noqa: E402
import scraper  # noqa: E402
import training  # noqa: E402
from corpus import Message, Pair  # noqa: E402
from scraper import chitchat  # noqa: E402
from tests.scraper.scraper_builders import fb_message, write_fb_thread  # noqa: E402
from training.evaluate import model_bits_per_char, reply_pieces  # noqa: E402
from training.style import words  # noqa: E402

HELD_OUT = 0.1
SEED = 0
CONTEXT_TURNS_COMPARED = (1, 2, 3, 6)
BATCH = 8  # conversations answered together: the full candidates each (a quiet server)
ABLATIONS: dict[str, dict[str, Any]] = {
    "recipe (FINETUNE_SETTINGS)": {},
    "learning rate 1e-3": {"learning_rate": 1e-3},
    "learning rate 4e-3": {"learning_rate": 4e-3},
    "friends' turns weigh 1": {"other_weight": 1.0},
    "friends' turns weigh 0": {"other_weight": 0.0},
    "top layer + output only": {"tune_layers": "top"},
    "dropout 0.05": {"dropout": 0.05},
    "dropout 0.1": {"dropout": 0.1},
    "dropout 0.2": {"dropout": 0.2},
    "dropout 0.3": {"dropout": 0.3},
}


@dataclass
class Person:
    """One evaluation person: their training export and held-out pairs."""

    rank: int
    name: str
    export: Path
    held_out: list[Pair] = field(default_factory=list)
    corpus_dir: Path | None = None
    train_replies: list[str] = field(default_factory=list)


def prepare(work: Path, people: int) -> list[Person]:
    """Split chitchat once, write each person's export, keep their held-out pairs."""
    conversations = list(chitchat.read_conversations())
    ranked = chitchat.evaluation_speakers(conversations)
    unused = set(ranked[people:])
    held_ids = {c.id for c in corpus.split_by_key(
        conversations, [c.id for c in conversations], HELD_OUT)[1]}  # fmt: skip
    result = []
    for rank, speaker in enumerate(ranked[:people], start=1):
        mine = [
            c
            for c in conversations
            if speaker in c.speakers and not c.speakers & unused
        ]
        name = f"Person {rank}"
        person = Person(rank, name, work / f"export-{rank}")
        threads: dict[str, list[dict[str, object]]] = defaultdict(list)
        held: list[Message] = []
        for conversation in mine:
            for message in conversation.messages:
                sender = name if message.sender == speaker else _friend(message.sender)
                if conversation.id in held_ids:
                    held.append(
                        Message(conversation.id, sender, message.sent_at, message.text)
                    )
                    continue
                friends = sorted(s for s in conversation.speakers if s != speaker)
                thread = "_".join(_friend(s).replace(" ", "") for s in friends)
                stamp = int(message.sent_at.timestamp() * 1000)
                threads[thread.lower()].append(fb_message(sender, stamp, message.text))
        for thread, records in threads.items():
            write_fb_thread(person.export, thread, records)
        held_corpus = corpus.build_corpus(
            held, work / f"held-{rank}", me=name, val_fraction=0.0
        )
        person.held_out = held_corpus.train_pairs
        result.append(person)
    return result


def _friend(speaker: str) -> str:
    return f"Friend {speaker[:8]}"


def build_corpus(person: Person, work: Path) -> corpus.Corpus:
    """The persona's corpus through the real importer and corpus stage."""
    messages, _report = scraper.import_export(person.export)
    person.corpus_dir = work / f"corpus-{person.rank}"
    built = corpus.build_corpus(messages, person.corpus_dir, me=person.name)
    person.train_replies = [pair.response for pair in built.train_pairs]
    return built


def train_persona(
    built: corpus.Corpus,
    out: Path,
    budget: dict[str, Any],
    from_base: bool,
    overrides: dict[str, Any] | None = None,
    reuse: bool = False,
) -> training.PersonaModel:
    """Train for the budget (fine-tuning the base model or from scratch); load it.
    With `reuse`, a model an earlier run left in `out` is loaded instead."""
    if reuse and (out / "manifest.json").exists():
        return training.PersonaModel.load(out)
    # Every core: the bench wants an idle machine, and the load average would
    # count the model it trained a moment ago as someone else's work.
    threads = len(os.sched_getaffinity(0))
    config = training.persona_train_config(
        from_base,
        {**budget, "seed": SEED, "num_threads": threads, **(overrides or {})},
    )
    base = training.load_base_model() if from_base else None
    training.train(built, out, config, base=base)
    return training.PersonaModel.load(out)


def bits(model: training.PersonaModel, pairs: list[Pair], turns: int = 6) -> float:
    """Bits per char of the real held-out replies given their prompts (the last
    `turns` turns of the conversation)."""
    return model_bits_per_char(model, reply_pieces(model.vocab, pairs, turns))


def context_figures(model: training.PersonaModel, pairs: list[Pair]) -> dict:
    """Bits/char of the replies and prompt characters, by turns of context read:
    the evidence for training.generate.CONTEXT_TURNS."""
    figures = {}
    for turns in CONTEXT_TURNS_COMPARED:
        pieces = reply_pieces(model.vocab, pairs, turns)
        figures[turns] = {
            "bpc": round(model_bits_per_char(model, pieces), 4),
            "prompt_chars": round(statistics.mean(len(p) for p, _ in pieces)),
        }
    return figures


def generate(model: training.PersonaModel, pairs: list[Pair]) -> list[str]:
    """The persona's replies to the held-out prompts, batched, seeded."""
    replies: list[str] = []
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start : start + BATCH]
        replies += model.reply_batch(
            [pair.history() for pair in chunk], seed=SEED + start
        )
    return replies


def spread(pairs: list[Pair], samples: int) -> list[Pair]:
    """`samples` pairs evenly spaced over all of them: the first 200 come from a
    handful of conversations (Person 1's have a median reply of 98 characters,
    against 66 over all their held-out replies)."""
    if len(pairs) <= samples:
        return list(pairs)
    return [pairs[i * len(pairs) // samples] for i in range(samples)]


def real_word_rate(replies: list[str], vocabulary: set[str]) -> float:
    """Share of the replies' words that the persona's corpus also holds."""
    tokens = [word for reply in replies for word in words(reply)]
    return sum(word in vocabulary for word in tokens) / max(len(tokens), 1)


def authorship(
    train: dict[str, list[str]],
    real: dict[str, list[str]],
    generated: dict[str, list[str]],
) -> dict[str, Any]:
    """Char n-gram classifier accuracy on real and generated replies, and pooling."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    names = sorted(train)
    texts = [text for name in names for text in train[name]]
    labels = [name for name in names for _ in train[name]]
    classifier = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True,
                        min_df=2, lowercase=False),
        LogisticRegression(max_iter=2000, class_weight="balanced", C=4.0),
    )  # fmt: skip
    classifier.fit(texts, labels)
    result: dict[str, Any] = {}
    for kind, replies in (("real", real), ("generated", generated)):
        per_person, pooled, correct, total = {}, {}, 0, 0
        for name in names:
            if not replies[name]:
                continue
            guesses = classifier.predict(replies[name])
            hits = int(sum(guess == name for guess in guesses))
            per_person[name] = hits / len(guesses)
            correct, total = correct + hits, total + len(guesses)
            mean = classifier.predict_log_proba(replies[name]).mean(axis=0)
            pooled[name] = str(classifier.classes_[mean.argmax()])
        result[kind] = {
            "accuracy": correct / max(total, 1),
            "per_person": per_person,
            "pooled_names": pooled,
            "pooled_all_right": all(pooled[n] == n for n in pooled),
        }
    result["ratio"] = result["generated"]["accuracy"] / max(
        result["real"]["accuracy"], 1e-9
    )
    return result


def evaluate_person(
    person: Person,
    work: Path,
    budget: dict[str, Any],
    samples: int,
    scratch: bool,
    reuse: bool = False,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Every per-person figure; also the generated and real replies compared."""
    started = time.monotonic()
    built = build_corpus(person, work)
    persona = train_persona(
        built, work / f"model-{person.rank}", budget, True, reuse=reuse
    )
    base = training.load_base_model()
    base_alone = training.PersonaModel(base.model, base.vocab)
    ngram = training.KneserNey(built.train_text, 5, len(persona.vocab))
    figures: dict[str, Any] = {
        "person": person.name,
        "train_chars": len(built.train_text),
        "train_pairs": len(built.train_pairs),
        "held_out_pairs": len(person.held_out),
        "bpc_from_base": bits(persona, person.held_out),
        "bpc_base_alone": bits(base_alone, person.held_out),
        "bpc_kneser_ney": ngram.bits_per_char(
            reply_pieces(persona.vocab, person.held_out)
        ),
    }
    if scratch:
        alone = train_persona(
            built, work / f"scratch-{person.rank}", budget, False, reuse=reuse
        )
        figures["bpc_from_scratch"] = bits(alone, person.held_out)
    pairs = spread(person.held_out, samples)
    generated = generate(persona, pairs)
    real = [pair.response for pair in pairs]
    vocabulary = set(words(built.train_text))
    figures.update(
        {
            "real_word_rate_generated": real_word_rate(generated, vocabulary),
            "real_word_rate_real": real_word_rate(real, vocabulary),
            "median_chars_generated": statistics.median(map(len, generated)),
            "median_chars_real": statistics.median(map(len, real)),
            "context_turns": context_figures(persona, pairs),
            "examples": [
                {"prompt": p.prompt, "real": p.response, "generated": g}
                for p, g in list(zip(pairs, generated, strict=True))[:5]
            ],
            "seconds": round(time.monotonic() - started),
        }
    )
    return figures, generated, real


def summary(rows: list[dict[str, Any]], author: dict[str, Any]) -> dict[str, Any]:
    """The overall figures and the issue's pass/fail checks."""

    def mean(key: str) -> float | None:
        values = [row[key] for row in rows if key in row]
        return statistics.fmean(values) if values else None

    overall: dict[str, Any] = {
        key: mean(key)
        for key in (
            "bpc_from_base",
            "bpc_from_scratch",
            "bpc_kneser_ney",
            "bpc_base_alone",
            "real_word_rate_generated",
            "real_word_rate_real",
        )
    }
    overall["context_turns"] = {
        turns: {
            figure: round(
                statistics.fmean(r["context_turns"][turns][figure] for r in rows), 4
            )
            for figure in ("bpc", "prompt_chars")
        }
        for turns in CONTEXT_TURNS_COMPARED
    }
    base, scratch, kn = (
        overall["bpc_from_base"],
        overall["bpc_from_scratch"],
        overall["bpc_kneser_ney"],
    )
    length_ratio = [r["median_chars_generated"] / r["median_chars_real"] for r in rows]
    overall["checks"] = {
        "bpc >= 15% below from scratch": scratch is not None
        and base <= 0.85 * scratch,
        "bpc >= 15% below Kneser-Ney": base <= 0.85 * kn,
        "real-word rate within 0.04": all(
            abs(r["real_word_rate_generated"] - r["real_word_rate_real"]) <= 0.04
            for r in rows
        ),
        "median length within 25%": all(0.75 <= x <= 1.25 for x in length_ratio),
        "authorship >= 0.9x real": author["ratio"] >= 0.9,
        "pooled replies name all": author["generated"]["pooled_all_right"],
    }
    return overall


def print_table(rows: list[dict[str, Any]], overall: dict, author: dict) -> None:
    """The figures a person reads."""
    columns = [
        ("bpc base→persona", "bpc_from_base", "{:.3f}"),
        ("scratch", "bpc_from_scratch", "{:.3f}"),
        ("KN-5", "bpc_kneser_ney", "{:.3f}"),
        ("base alone", "bpc_base_alone", "{:.3f}"),
        ("words gen", "real_word_rate_generated", "{:.3f}"),
        ("words real", "real_word_rate_real", "{:.3f}"),
        ("median gen", "median_chars_generated", "{:.0f}"),
        ("median real", "median_chars_real", "{:.0f}"),
    ]
    head = f"{'person':<10}" + "".join(f"{title:>17}" for title, _, _ in columns)
    print(head + f"{'author gen':>12}{'author real':>12}")
    for row in rows:
        cells = "".join(
            f"{fmt.format(row[key]) if key in row else '-':>17}"
            for _, key, fmt in columns
        )
        name = row["person"]
        gen = author["generated"]["per_person"].get(name, 0.0)
        real = author["real"]["per_person"].get(name, 0.0)
        print(f"{name:<10}{cells}{gen:>12.2f}{real:>12.2f}")
    cells = "".join(
        f"{fmt.format(overall[key]) if overall.get(key) is not None else '':>17}"
        for _, key, fmt in columns
    )
    print(
        f"{'overall':<10}{cells}{author['generated']['accuracy']:>12.2f}"
        f"{author['real']['accuracy']:>12.2f}"
    )
    print(
        f"pooled generated replies name: {author['generated']['pooled_names']}\n"
        f"authorship ratio generated/real: {author['ratio']:.2f}"
    )
    context = overall["context_turns"]
    print("bpc by turns of context read (prompt chars): " + ", ".join(
        f"{turns}: {figures['bpc']:.4f} ({figures['prompt_chars']:.0f})"
        for turns, figures in context.items()))  # fmt: skip
    for check, passed in overall["checks"].items():
        print(f"  [{'x' if passed else ' '}] {check}")


def run_ablation(work: Path, person_rank: int, budget: dict[str, Any]) -> None:
    """Fine-tune one person every way in ABLATIONS; print held-out bits/char."""
    people = prepare(work, max(5, person_rank))
    person = people[person_rank - 1]
    built = build_corpus(person, work)
    print(f"{person.name}: {len(built.train_text):,} training chars, "
          f"{len(person.held_out)} held-out replies, {budget} each")  # fmt: skip
    results = {}
    for label, overrides in ABLATIONS.items():
        model = train_persona(
            built, work / f"ablation-{len(results)}", budget, True, overrides
        )
        results[label] = bits(model, person.held_out)
        print(f"  {label:<32}{results[label]:.3f} bits/char", flush=True)
    out = REPO / "var" / "bench" / "fidelity-ablation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


@click.command()
@click.option("--minutes", default=3.0, show_default=True, help="Training budget.")
@click.option("--max-steps", type=int, default=None,
              help="Train this many steps instead of the time budget.")  # fmt: skip
@click.option("--people", default=5, show_default=True, help="How many people.")
@click.option("--samples", default=200, show_default=True, help="Replies a person.")
@click.option("--no-scratch", is_flag=True, help="Skip the from-scratch models.")
@click.option("--ablation", is_flag=True, help="Compare fine-tuning choices instead.")
@click.option("--person", default=3, show_default=True, help="Who, with --ablation.")
@click.option("--keep", type=click.Path(path_type=Path), default=None,
              help="Work in this folder and keep it.")  # fmt: skip
@click.option("--reuse", is_flag=True,
              help="With --keep: load the models trained there before.")  # fmt: skip
def main(
    minutes: float,
    max_steps: int | None,
    people: int,
    samples: int,
    no_scratch: bool,
    ablation: bool,
    person: int,
    keep: Path | None,
    reuse: bool,
) -> None:
    """Rebuild chitchat's most prolific people as personas and compare."""
    budget: dict[str, Any] = {"minutes": minutes}
    if max_steps is not None:
        budget = {"minutes": None, "max_steps": max_steps}
    with tempfile.TemporaryDirectory() as scratch_dir:
        work = keep or Path(scratch_dir)
        work.mkdir(parents=True, exist_ok=True)
        if ablation:
            run_ablation(work, person, budget)
            return
        rows, generated, real, train = [], {}, {}, {}
        for one in prepare(work, people):
            figures, gen, held = evaluate_person(
                one, work, budget, samples, not no_scratch, reuse and keep is not None
            )
            rows.append(figures)
            generated[one.name], real[one.name] = gen, held
            train[one.name] = one.train_replies
            print(json.dumps({k: v for k, v in figures.items() if k != "examples"}),
                  flush=True)  # fmt: skip
    author = authorship(train, real, generated)
    overall = summary(rows, author)
    print_table(rows, overall, author)
    out = REPO / "var" / "bench" / "fidelity.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {"budget": budget, "people": rows, "overall": overall,
              "authorship": author}  # fmt: skip
    out.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(f"figures -> {out}")


if __name__ == "__main__":
    main()
