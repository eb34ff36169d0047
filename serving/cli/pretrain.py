"""`mimical pretrain`: the base chat model, from a public corpus of real chats.

Wires the three stages together: the chitchat reader (scraper) keeps out every
conversation of the ten most prolific speakers (they are evaluation people), the
dialogue corpus (corpus) encodes the rest, the training loop (training) learns it,
and `--ship` puts an fp16 copy with its provenance inside the package.
"""

from __future__ import annotations

import platform
import shlex
import sys
from pathlib import Path
from typing import Any

import click

import training
from corpus.dialogues import build_dialogue_corpus
from scraper import chitchat
from serving.cli.errors import user_errors
from training.base import BASE_MODEL_DIR, ship_base_model

# The shipped model's recipe. Hidden 384 is the widest LSTM whose 3-minute persona
# fine-tune still reads a typical person's history (1-2 M chars) more than once on
# 2 cores, and whose reranked replies keep the webhook near 100 replies/s (README,
# "Figures"). 7,000 steps of 64 x 128 chars read the 5 M-char corpus about 11
# times; dropout 0.2 keeps that many passes from memorising it.
BASE_HIDDEN, BASE_LAYERS, BASE_EMBED, BASE_DROPOUT = 384, 2, 64, 0.2
BASE_STEPS = 7_000
BASE_SETTINGS: dict[str, Any] = {
    "batch_size": 64,
    "seq_len": 128,
    "learning_rate": 3e-3,
    "min_lr_ratio": 0.05,
    "warmup_steps": 200,
    "weight_decay": 0.01,
    "eval_interval": 500,
    "eval_batches": None,
    "patience": 1000,  # a fixed recipe: the schedule, not early stopping, ends it
    "checkpoint_seconds": 120.0,
    "num_threads": 2,  # the recipe's; a busy machine runs it slower, not otherwise
}


def provenance(dataset: Path, kept: int, total: int, chars: int) -> dict[str, Any]:
    """Where the base model's data came from, as its manifest records it."""
    return {
        "package": chitchat.PACKAGE,
        "version": chitchat.PACKAGE_VERSION,
        "licence": chitchat.LICENCE,
        "file": "chitchat_dataset/dataset.json",
        "sha256": chitchat.sha256_of(dataset),
        "conversations_total": total,
        "conversations_used": kept,
        "chars_used": chars,
        "excluded": (
            f"every conversation of the {chitchat.EVALUATION_SPEAKERS} most prolific "
            "speakers by message count (evaluation people: ranks 1-5 for the "
            "fidelity benchmark, 6-10 unused)"
        ),
    }


@click.command("pretrain")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/pretrain"),
    show_default=True,
    help="Working folder: the dialogue corpus and the model with its checkpoint.",
)
@click.option(
    "--max-steps",
    default=BASE_STEPS,
    show_default=True,
    help="Optimisation steps (the recipe is step-bounded, so any machine gets the "
    "same model; about an hour on 2 CPU cores, minutes on a GPU).",
)
@click.option(
    "--dataset",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A dataset.json in chitchat's layout (default: the installed package's).",
)
@click.option("--hidden", default=BASE_HIDDEN, show_default=True, help="LSTM width.")
@click.option("--seed", default=1337, show_default=True)
@click.option("--resume", is_flag=True, help="Continue from the folder's checkpoint.")
@click.option(
    "--ship",
    is_flag=True,
    help="Copy the result (fp16, with its provenance) to --ship-dir.",
)
@click.option(
    "--ship-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=BASE_MODEL_DIR,
    show_default="the package's training/base_model",
    help="Where --ship puts the base model.",
)
def pretrain_command(
    output: Path,
    max_steps: int,
    dataset: Path | None,
    hidden: int,
    seed: int,
    resume: bool,
    ship: bool,
    ship_dir: Path,
) -> None:
    """Train the base chat model on the chitchat-dataset corpus of real chats."""
    with user_errors():
        dataset = dataset or chitchat.dataset_path()
        conversations = list(chitchat.read_conversations(dataset))
        held_out = chitchat.evaluation_speakers(conversations)
        kept = list(chitchat.without_speakers(conversations, held_out))
        chars = sum(conversation.chars for conversation in kept)
        source = provenance(dataset, len(kept), len(conversations), chars)
        click.echo(
            f"{len(kept)} of {len(conversations)} conversations ({chars:,} chars); "
            f"left out: {len(conversations) - len(kept)} with evaluation people"
        )
        built = build_dialogue_corpus(
            [conversation.messages for conversation in kept],
            output / "corpus",
            source=source,
        )
        vocab = training.Vocabulary.from_text(built.train_text)
        model_config = training.ModelConfig(
            vocab_size=len(vocab),
            embed_dim=BASE_EMBED,
            hidden_size=hidden,
            num_layers=BASE_LAYERS,
            dropout=BASE_DROPOUT,
        )
        config = training.TrainConfig.from_dict(
            {**BASE_SETTINGS, "minutes": None, "max_steps": max_steps, "seed": seed}
        )
        result = training.train(
            built,
            output / "model",
            config,
            model_config=model_config,
            resume=resume,
            on_progress=training.tqdm_progress("pretraining"),
        )
    click.echo(
        f"validation: {result.val_bpc:.3f} bits/char on held-out conversations, "
        f"{result.steps} steps, {result.wall_s / 60:.0f} min -> {output / 'model'}"
    )
    if ship:
        record = {
            "data": source,
            "training": {
                "command": "mimical " + shlex.join(sys.argv[1:]),
                "seed": seed,
                "steps": result.steps,
                "minutes": round(result.wall_s / 60, 1),
                "chars_seen": result.chars_seen,
                "machine": f"{platform.machine()}, {platform.system()}",
            },
            "validation_bpc": round(result.val_bpc, 4),
        }
        shipped = ship_base_model(output / "model", record, ship_dir)
        click.echo(f"shipped -> {shipped}")
