"""Model and training hyper-parameters: frozen dataclasses, unknown keys are errors."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from training.errors import ConfigError


class _FromDict:
    """`from_dict`/`to_dict` with the type checks nanoGPT's configurator makes."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from a mapping; ConfigError on unknown keys or wrong types."""
        hints = typing.get_type_hints(cls)
        fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ConfigError(
                f"unknown {cls.__name__} keys: {', '.join(unknown)}; "
                f"known keys are: {', '.join(sorted(fields))}"
            )
        values = {
            key: _checked(cls.__name__, key, value, hints[key])
            for key, value in data.items()
        }
        try:
            return cls(**values)
        except TypeError as error:  # a required key is missing
            raise ConfigError(f"{cls.__name__}: {error}") from None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of every field."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]


def _checked(owner: str, key: str, value: Any, hint: Any) -> Any:
    """The value if it fits the annotation (ints are accepted for floats)."""
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for kind in allowed:
        if kind is type(None) and value is None:
            return None
        if (
            kind is float
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            return float(value)
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind in (str, bool) and isinstance(value, kind):
            return value
    names = " | ".join(getattr(kind, "__name__", str(kind)) for kind in allowed)
    raise ConfigError(f"{owner}.{key} must be {names}, not {value!r}")


@dataclass(frozen=True)
class ModelConfig(_FromDict):
    """The shape of a CharLSTM."""

    vocab_size: int
    embed_dim: int = 64
    hidden_size: int = 256
    num_layers: int = 2
    dropout: float = 0.2

    def __post_init__(self) -> None:
        if min(self.vocab_size, self.embed_dim, self.hidden_size, self.num_layers) < 1:
            raise ConfigError("model sizes must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError("dropout must be in [0, 1)")


TUNE_LAYERS = ("all", "top", "head")
PRECISIONS = ("auto", "bf16", "fp32")


@dataclass(frozen=True)
class TrainConfig(_FromDict):
    """How to train: batches, optimiser, schedule, budget, evaluation, checkpoints."""

    batch_size: int = 32
    seq_len: int = 128
    learning_rate: float = 5e-3
    min_lr_ratio: float = 0.05  # cosine decays to learning_rate * min_lr_ratio
    warmup_steps: int = 30
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    minutes: float | None = 2.0  # wall-clock budget; None: only max_steps bounds it
    max_steps: int | None = None
    eval_interval: int = 100  # steps between validation passes
    eval_batches: int | None = 20  # windows per pass; None: the whole split
    patience: int = 6  # validation passes without improvement before stopping
    val_fraction: float = 0.1  # train tail held back when the corpus has no val_text
    checkpoint_seconds: float = 60.0
    seed: int = 1337
    device: str = "auto"  # "auto" (a GPU when present), "cpu", "cuda", "cuda:1"...
    # "bf16": matrix products in bfloat16 (weights, optimiser and loss stay fp32);
    # "auto" picks it where the hardware has fast bfloat16 (measured on a 2-core
    # Xeon with AMX: 2.5x the characters a second of fp32), else "fp32".
    precision: str = "auto"
    # torch CPU threads (process-wide). None: the cores other jobs leave idle (at
    # least 1). Measured on 2 cores: 2 threads train 1.7x faster than 1 on an idle
    # machine, but 2-10x slower than 1 while other jobs keep a core busy.
    num_threads: int | None = None
    # Fine-tuning a persona from the base model (ignored when training from scratch
    # except other_weight): how much the friends' turns count in the loss, which
    # weights learn ("all", "top": the last LSTM layer and the output, "head": the
    # output only), and the dropout to train with (None: the model's own).
    other_weight: float = 1.0
    tune_layers: str = "all"
    dropout: float | None = None

    def __post_init__(self) -> None:
        if min(self.batch_size, self.seq_len, self.eval_interval) < 1:
            raise ConfigError("batch_size, seq_len and eval_interval must be >= 1")
        if self.minutes is None and self.max_steps is None:
            raise ConfigError("set minutes or max_steps, or training never ends")
        if self.minutes is not None and not self.minutes > 0:
            raise ConfigError("minutes must be positive")
        if self.learning_rate <= 0 or not 0 <= self.min_lr_ratio <= 1:
            raise ConfigError("learning_rate must be > 0, min_lr_ratio in [0, 1]")
        if not 0.0 <= self.other_weight <= 1.0:
            raise ConfigError("other_weight must be in [0, 1]")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}")
        if self.tune_layers not in TUNE_LAYERS:
            raise ConfigError(f"tune_layers must be one of {', '.join(TUNE_LAYERS)}")
        if self.dropout is not None and not 0.0 <= self.dropout < 1.0:
            raise ConfigError("dropout must be in [0, 1)")


def auto_model_config(
    train_chars: int, vocab_size: int, minutes: float | None = None
) -> ModelConfig:
    """A model sized to the corpus: about four parameters per training character.

    A char-LSTM this size neither starves on a large corpus nor memorises a small
    one; a short time budget caps it, because a big model trains too few steps.
    """
    # A 2-layer LSTM with a small embedding has about 12 * hidden**2 parameters.
    target = 4.0 * max(train_chars, 1)
    hidden = int(math.sqrt(target / 12))
    if minutes is not None:  # measured: 2 minutes on 2 cores suit hidden 256
        hidden = min(hidden, int(182 * math.sqrt(minutes)))
    hidden = max(32, min(640, hidden // 32 * 32))
    layers = 2 if hidden >= 96 else 1
    dropout = 0.2 if train_chars < 2_000_000 else 0.1
    return ModelConfig(
        vocab_size=vocab_size,
        embed_dim=min(64, hidden),
        hidden_size=hidden,
        num_layers=layers,
        dropout=dropout if layers > 1 or train_chars < 100_000 else 0.1,
    )


# How a persona is fine-tuned from the base model. Held-out bits/char of one person
# after 1,200 steps (`python bench/bench_fidelity.py --ablation`; README,
# "Fidelity"): this recipe 1.545; with dropout 0.05, 0.1, 0.2 or 0.3: 1.546, 1.550,
# 1.564, 1.583. With dropout 0.2: learning rate 1e-3 1.573, 4e-3 1.562 (a tie with
# 2e-3); friends' turns at weight 1 1.576, at 0 1.564 (a tie with 0.5); only the top
# layer 1.578.
# A lower rate than from scratch keeps what the base model knows of chat while three
# minutes teach it one person. Every layer learns, since a person's words, spelling
# and habits live in all of them. The friends' turns count at half weight: they
# teach how this person's circle writes and what the persona answers to, but the
# loss is mostly the persona's own. No dropout: three minutes read about 4 million
# characters, a few passes over a person's corpus (0.6-1.5 million for the five
# people), and starting from the base model holds the weights near what generalises;
# dropout only slowed learning.
FINETUNE_SETTINGS: dict[str, Any] = {
    "learning_rate": 2e-3,
    "warmup_steps": 10,
    "other_weight": 0.5,
    "tune_layers": "all",
    "dropout": 0.0,
}


def persona_train_config(
    from_base: bool, settings: Mapping[str, Any] | None = None
) -> TrainConfig:
    """A persona's training settings: the fine-tuning recipe when it starts from the
    base model, the from-scratch defaults otherwise; `settings` override both."""
    recipe = FINETUNE_SETTINGS if from_base else {}
    return TrainConfig.from_dict({**recipe, **(settings or {})})
