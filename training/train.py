"""The training loop: batched truncated BPTT over contiguous streams of the corpus.

The training text is cut into `batch_size` contiguous streams; each step reads the
next `seq_len` characters of every stream and carries the LSTM state (detached)
into the next window, so the model learns context longer than one window.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from corpus import Corpus, load_corpus
from training.artifact import save_artifact
from training.base import BaseModel
from training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from training.config import ModelConfig, TrainConfig, auto_model_config
from training.data import (
    autocast,
    make_streams,
    persona_weights,
    pick_device,
    pick_precision,
    pick_threads,
    split_ids,
)
from training.errors import ConfigError
from training.model import CharLSTM, State
from training.plot import save_loss_curve
from training.progress import TrainProgress
from training.transfer import extended_vocabulary, transplant
from training.verbatim import VerbatimIndex
from training.vocab import Vocabulary

LOG2E = 1 / math.log(2)  # nats -> bits


@dataclass(frozen=True)
class TrainResult:
    """What a finished run produced."""

    artifact_dir: Path
    val_bpc: float
    chars_seen: int
    wall_s: float
    steps: int
    stopped: str = "budget"  # "budget", "max_steps" or "early_stop"
    history: list[dict[str, float]] = field(default_factory=list)


@dataclass
class _Run:
    """The loop's position, saved in every checkpoint as JSON scalars."""

    step: int = 0
    position: int = 0  # start of the next window in every stream
    epoch: int = 0
    elapsed_s: float = 0.0
    chars_seen: int = 0
    loss_ema: float | None = None  # bits per char
    val_bpc: float | None = None
    best_bpc: float | None = None
    bad_evals: int = 0
    history: list[dict[str, float]] = field(default_factory=list)


def get_batch(
    streams: Tensor, position: int, seq_len: int, weights: Tensor | None = None
) -> tuple[Tensor, Tensor, Tensor | None]:
    """The window at `position` of every stream, the characters that follow, and
    those characters' loss weights (if the streams are weighted)."""
    x = streams[:, position : position + seq_len]  # (B, T)
    y = streams[:, position + 1 : position + 1 + seq_len]  # (B, T)
    w = None
    if weights is not None:
        w = weights[:, position + 1 : position + 1 + seq_len]  # (B, T)
    return x[:, : y.size(1)], y, w


@torch.no_grad()
def estimate_loss(
    model: CharLSTM,
    streams: Tensor,
    seq_len: int,
    max_windows: int | None,
    weights: Tensor | None = None,
    precision: str = "fp32",
) -> float:
    """Mean (weighted) validation loss in bits per char, state carried across
    windows."""
    model.eval()
    state: State | None = None
    total, count = 0.0, 0.0
    for window, position in enumerate(range(0, streams.size(1) - 1, seq_len)):
        if max_windows is not None and window >= max_windows:
            break
        x, y, w = get_batch(streams, position, seq_len, weights)
        with autocast(streams.device, precision):
            _, loss, state = model(x, y, state, w)
        mass = float(w.sum()) if w is not None else y.numel()
        total += float(loss) * mass
        count += mass
    model.train()
    return total / max(count, 1e-9) * LOG2E


def get_lr(step: int, fraction: float, config: TrainConfig) -> float:
    """Linear warm-up over steps, then cosine decay over the run's fraction done."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    floor = config.learning_rate * config.min_lr_ratio
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, fraction)))
    return floor + (config.learning_rate - floor) * cosine


def _fraction(run: _Run, config: TrainConfig) -> float:
    """How far through the run we are: time budget or steps, whichever is further."""
    done = 0.0
    if config.minutes is not None:
        done = run.elapsed_s / (config.minutes * 60)
    if config.max_steps is not None:
        done = max(done, run.step / max(config.max_steps, 1))
    return min(1.0, done)


def _optimizer(model: CharLSTM, config: TrainConfig) -> torch.optim.AdamW:
    """AdamW over the weights that learn, with weight decay on matrices only."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {
            "params": [p for p in params if p.dim() >= 2],
            "weight_decay": config.weight_decay,
        },
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.learning_rate, betas=(0.9, 0.99))


def _rng_state(generator: torch.Generator, device: torch.device) -> dict[str, Tensor]:
    """Every random state the run draws from, as uint8 tensors."""
    rng = {"torch": torch.get_rng_state(), "data": generator.get_state()}
    if device.type == "cuda":
        rng["cuda"] = torch.cuda.get_rng_state(device)
    return rng


def _freeze(model: CharLSTM, tune_layers: str) -> None:
    """Let only the chosen weights learn ("all", "top" or "head")."""
    top = model.config.num_layers - 1
    for name, param in model.named_parameters():
        if tune_layers == "top":
            param.requires_grad = name.startswith("head.") or name.endswith(f"_l{top}")
        elif tune_layers == "head":
            param.requires_grad = name.startswith("head.")


def train(
    corpus: Corpus | str | Path,
    out_dir: str | Path,
    config: TrainConfig | None = None,
    model_config: ModelConfig | None = None,
    resume: bool = False,
    on_progress: Callable[[TrainProgress], None] | None = None,
    base: BaseModel | None = None,
) -> TrainResult:
    """Train a persona model on a corpus and write its artifact into `out_dir`.

    With `base`, the persona starts from the base model's weights (its size, its
    vocabulary extended by the corpus's new characters); without, from random
    weights sized to the corpus. With `resume`, a checkpoint in `out_dir` is
    continued (same step count, same loss curve); without one, training starts
    afresh.
    """
    corpus = corpus if isinstance(corpus, Corpus) else load_corpus(corpus)
    config = config or TrainConfig()
    out = Path(out_dir)
    device = pick_device(config.device)
    if device.type == "cpu":
        torch.set_num_threads(pick_threads(config.num_threads))
    precision = pick_precision(config.precision, device)
    checkpoint = load_checkpoint(out) if resume else None
    if base is not None and model_config is not None:
        raise ConfigError("a persona started from the base model has the base's size")
    run = _Run()
    start: CharLSTM | None = None
    if checkpoint is None:
        torch.manual_seed(config.seed)
        if base is not None:
            vocab = extended_vocabulary(base.vocab, corpus.train_text)
            start = transplant(base.model, base.vocab, vocab, config.dropout)
            model_config = start.config
        else:
            vocab = Vocabulary.from_text(corpus.train_text)
    else:
        vocab = Vocabulary.from_json(checkpoint.scalars["vocab"])
        run = _Run(**checkpoint.scalars["run"])
        _check_resumable(checkpoint, config, model_config)
        model_config = ModelConfig.from_dict(checkpoint.scalars["model_config"])
    train_ids, val_ids = split_ids(corpus, vocab, config)
    if model_config is None:
        model_config = auto_model_config(len(train_ids), len(vocab), config.minutes)
        if config.dropout is not None:
            model_config = ModelConfig.from_dict(
                {**model_config.to_dict(), "dropout": config.dropout}
            )
    if model_config.vocab_size != len(vocab):
        raise ConfigError(f"vocab_size must be {len(vocab)} for this corpus")

    # What the artifact records of the weights it started from (kept on resume).
    base_summary = base.summary if base is not None else None
    if checkpoint is not None:
        base_summary = checkpoint.scalars.get("base_model")
    model = (start or CharLSTM(model_config)).to(device)
    _freeze(model, config.tune_layers)
    optimizer = _optimizer(model, config)
    generator = torch.Generator().manual_seed(config.seed)
    batch, seq_len = config.batch_size, config.seq_len
    streams = make_streams(train_ids, batch, seq_len + 1).to(device)
    val_streams = make_streams(val_ids, batch, 8 * seq_len).to(device)
    weights = val_weights = None
    if config.other_weight < 1.0:
        # The same cut as the id streams: make_streams only reshapes.
        weights = make_streams(
            persona_weights(train_ids, vocab, config.other_weight), batch, seq_len + 1
        ).to(device)
        val_weights = make_streams(
            persona_weights(val_ids, vocab, config.other_weight), batch, 8 * seq_len
        ).to(device)
    state = model.init_state(streams.size(0), device)
    best: dict[str, Tensor] | None = None
    if checkpoint is not None:
        model.load_state_dict(checkpoint.model)
        optimizer.load_state_dict(checkpoint.optimizer)
        state = (checkpoint.hidden[0].to(device), checkpoint.hidden[1].to(device))
        best = checkpoint.best_model
        torch.set_rng_state(checkpoint.rng["torch"])
        generator.set_state(checkpoint.rng["data"])
        if "cuda" in checkpoint.rng and device.type == "cuda":
            torch.cuda.set_rng_state(checkpoint.rng["cuda"], device)

    def save() -> None:
        save_checkpoint(
            out,
            Checkpoint(
                model=model.state_dict(),
                optimizer=optimizer.state_dict(),
                hidden=state,
                rng=_rng_state(generator, device),
                best_model=best,
                scalars={
                    "vocab": vocab.to_json(),
                    "model_config": model_config.to_dict(),
                    "train_config": config.to_dict(),
                    "run": run.__dict__,
                    "base_model": base_summary,
                },
            ),
        )

    model.train()
    started = last_save = time.monotonic()
    session_start, session_chars = run.elapsed_s, 0
    batch = streams.size(0)
    try:
        while not (stopped := _stop_reason(run, config)):
            for group in optimizer.param_groups:
                group["lr"] = get_lr(run.step, _fraction(run, config), config)
            x, y, w = get_batch(streams, run.position, seq_len, weights)  # (B, T)
            with autocast(device, precision):
                _, loss, state = model(x, y, state, w)
            # Truncated BPTT; the state stays fp32 between windows.
            state = (state[0].detach().float(), state[1].detach().float())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()

            session_chars += batch * seq_len
            if _advance(run, loss.item() * LOG2E, streams, seq_len, generator):
                state = model.init_state(batch, device)  # a new epoch starts cold
            if run.step % config.eval_interval == 0:
                run.val_bpc = estimate_loss(
                    model,
                    val_streams,
                    seq_len,
                    config.eval_batches,
                    val_weights,
                    precision,
                )
                if run.best_bpc is None or run.val_bpc < run.best_bpc - 1e-3:
                    run.best_bpc, run.bad_evals = run.val_bpc, 0
                    best = {k: v.clone() for k, v in model.state_dict().items()}
                else:
                    run.bad_evals += 1
            now = time.monotonic()
            run.elapsed_s = session_start + now - started
            _note_history(run, config)
            if on_progress is not None:
                on_progress(_progress(run, config, session_chars, now - started))
            if now - last_save >= config.checkpoint_seconds:
                save()
                last_save = now
    except KeyboardInterrupt:
        save()  # Ctrl-C: keep what was learnt; --resume goes on from here
        raise

    val_bpc = _finish(
        model, best, run, (val_streams, val_weights), seq_len, config, precision
    )
    save()
    figures: dict[str, Any] = {
        "val_bpc": round(val_bpc, 4),
        "train_bpc": None if run.loss_ema is None else round(run.loss_ema, 4),
        "chars_seen": run.chars_seen,
        "wall_s": round(run.elapsed_s, 1),
        "steps": run.step,
        "epochs": round(run.chars_seen / max(len(train_ids), 1), 2),
        "stopped": stopped,
        "params": model.num_params(),
        "device": device.type,
        "precision": precision,
        "threads": torch.get_num_threads() if device.type == "cpu" else None,
        "train_config": config.to_dict(),
        "base_model": base_summary,
    }
    corpus_stats = dict(corpus.manifest.get("stats") or {})  # type: ignore[call-overload]
    privacy = corpus.manifest.get("privacy")
    save_artifact(
        out,
        model,
        vocab,
        model_config,
        figures,
        corpus_stats,
        corpus.persona,
        # Built from what the model learnt: the others' turns of the training text.
        verbatim=VerbatimIndex.from_training_text(corpus.train_text),
        privacy=privacy if isinstance(privacy, dict) else None,
    )
    save_loss_curve(run.history, out)
    if on_progress is not None:
        on_progress(_progress(run, config, session_chars, 0.0, done=True))
    return TrainResult(
        out, val_bpc, run.chars_seen, run.elapsed_s, run.step, stopped, run.history
    )


def _stop_reason(run: _Run, config: TrainConfig) -> str:
    """Why the run should stop now, or "" to go on."""
    if config.max_steps is not None and run.step >= config.max_steps:
        return "max_steps"
    if config.minutes is not None and run.elapsed_s >= config.minutes * 60:
        return "budget"
    if run.bad_evals >= config.patience:
        return "early_stop"
    return ""


def _advance(
    run: _Run, bits: float, streams: Tensor, seq_len: int, generator: torch.Generator
) -> bool:
    """Count a step and move the window on; True when a new epoch begins."""
    run.step += 1
    run.chars_seen += streams.size(0) * seq_len
    run.loss_ema = bits if run.loss_ema is None else 0.9 * run.loss_ema + 0.1 * bits
    run.position += seq_len
    if run.position + seq_len + 1 <= streams.size(1):
        return False
    # A random shift each epoch, so windows do not always cut the text the same way.
    run.epoch += 1
    room = min(seq_len, streams.size(1) - seq_len - 1)
    run.position = int(torch.randint(0, room + 1, (1,), generator=generator))
    return True


def _note_history(run: _Run, config: TrainConfig) -> None:
    """Add a point to the loss curve: ten per evaluation interval."""
    point: dict[str, float] = {"step": run.step, "elapsed_s": round(run.elapsed_s, 2)}
    if run.step % config.eval_interval == 0 and run.val_bpc is not None:
        point["val_bpc"] = run.val_bpc
    elif run.step % max(1, config.eval_interval // 10):
        return
    if run.loss_ema is not None:
        point["train_bpc"] = run.loss_ema
    run.history.append(point)


def _finish(
    model: CharLSTM,
    best: dict[str, Tensor] | None,
    run: _Run,
    val: tuple[Tensor, Tensor | None],
    seq_len: int,
    config: TrainConfig,
    precision: str,
) -> float:
    """Keep the best weights seen by validation; return their full-split bpc
    (in fp32, whatever the training precision)."""
    val_streams, val_weights = val
    last = estimate_loss(
        model, val_streams, seq_len, config.eval_batches, val_weights, precision
    )
    if best is not None and run.best_bpc is not None and run.best_bpc < last:
        model.load_state_dict(best)
    val_bpc = estimate_loss(model, val_streams, seq_len, None, val_weights)
    run.history.append(
        {"step": run.step, "val_bpc": val_bpc, "elapsed_s": round(run.elapsed_s, 2)}
    )
    return val_bpc


def _progress(
    run: _Run, config: TrainConfig, chars: int, seconds: float, done: bool = False
) -> TrainProgress:
    """A progress report from the loop's figures."""
    fraction = 1.0 if done else _fraction(run, config)
    speed = chars / seconds if seconds > 0 else 0.0
    eta: float | None = None
    if config.minutes is not None:
        eta = max(0.0, config.minutes * 60 - run.elapsed_s)
    if config.max_steps is not None and speed > 0:
        steps_left = max(0, config.max_steps - run.step)
        by_steps = steps_left * config.batch_size * config.seq_len / speed
        eta = by_steps if eta is None else min(eta, by_steps)
    return TrainProgress(
        step=run.step,
        fraction=fraction,
        train_loss=run.loss_ema if run.loss_ema is not None else math.nan,
        val_bpc=run.val_bpc,
        chars_per_s=speed,
        eta_s=0.0 if done else eta,
        elapsed_s=run.elapsed_s,
    )


def _check_resumable(
    checkpoint: Checkpoint, config: TrainConfig, model_config: ModelConfig | None
) -> None:
    """ConfigError when the new settings cannot continue the saved run."""
    saved = checkpoint.scalars["train_config"]
    for key in ("batch_size", "seq_len", "tune_layers", "other_weight"):
        if saved.get(key, getattr(TrainConfig(), key)) != getattr(config, key):
            raise ConfigError(
                f"cannot resume with {key}={getattr(config, key)}: "
                f"the checkpoint was trained with {saved.get(key)}"
            )
    if (
        model_config is not None
        and model_config.to_dict() != checkpoint.scalars["model_config"]
    ):
        raise ConfigError("cannot resume with another model configuration")
