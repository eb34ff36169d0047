"""Training checkpoints: tensors in safetensors, everything else in JSON, no pickles.

A checkpoint is the folder `OUT/checkpoint/` holding `tensors.safetensors` (model,
best model so far, optimizer moments, hidden state, RNG states) and
`checkpoint.json` (format, version, optimizer hyper-parameters and the training
loop's scalars). It is written to a temporary folder that is then renamed, so a
crash mid-write leaves the previous checkpoint intact.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor

from training.errors import TrainingError

CHECKPOINT_FORMAT = "mimical.checkpoint"
CHECKPOINT_VERSION = 1
CHECKPOINT_DIR = "checkpoint"
_OLD_DIR = ".checkpoint-old"


@dataclass
class Checkpoint:
    """Everything needed to continue a training run exactly where it stopped."""

    model: dict[str, Tensor]
    optimizer: dict[str, Any]  # torch's optimizer state_dict
    hidden: tuple[Tensor, Tensor]  # (L, B, H) each, carried across windows
    rng: dict[str, Tensor]  # name -> RNG state as a uint8 tensor
    scalars: dict[str, Any]  # the loop's JSON-ready figures (step, position, ...)
    best_model: dict[str, Tensor] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(out_dir: str | Path, checkpoint: Checkpoint) -> Path:
    """Write `out_dir/checkpoint/` atomically; return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, Tensor] = {}
    tensors.update({f"model.{k}": v for k, v in checkpoint.model.items()})
    if checkpoint.best_model is not None:
        tensors.update({f"best.{k}": v for k, v in checkpoint.best_model.items()})
    tensors["hidden.h"], tensors["hidden.c"] = checkpoint.hidden
    tensors.update({f"rng.{k}": v for k, v in checkpoint.rng.items()})
    optim_scalars: dict[str, dict[str, Any]] = {}
    for index, values in checkpoint.optimizer["state"].items():
        for name, value in values.items():
            if isinstance(value, Tensor):
                tensors[f"optim.{index}.{name}"] = value
            else:
                optim_scalars.setdefault(str(index), {})[name] = value
    meta = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "param_groups": checkpoint.optimizer["param_groups"],
        "optim_scalars": optim_scalars,
        "scalars": checkpoint.scalars,
    }
    tmp = out / f".checkpoint-tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    cpu = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    save_file(cpu, tmp / "tensors.safetensors")
    (tmp / "checkpoint.json").write_text(json.dumps(meta, indent=1) + "\n")
    final, old = out / CHECKPOINT_DIR, out / _OLD_DIR
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(out_dir: str | Path) -> Checkpoint | None:
    """The checkpoint in `out_dir`, or None when there is none."""
    out = Path(out_dir)
    folder = out / CHECKPOINT_DIR
    if not folder.exists() and (out / _OLD_DIR).exists():
        folder = out / _OLD_DIR  # a crash between the two renames
    if not folder.exists():
        return None
    try:
        meta = json.loads((folder / "checkpoint.json").read_text())
        tensors = load_file(folder / "tensors.safetensors")
    except (OSError, ValueError, SafetensorError) as error:
        raise TrainingError(f"cannot read checkpoint {folder}: {error}") from None
    if (
        meta.get("format") != CHECKPOINT_FORMAT
        or meta.get("version") != CHECKPOINT_VERSION
    ):
        raise TrainingError(f"{folder} is not a {CHECKPOINT_FORMAT} v1 checkpoint")

    def part(prefix: str) -> dict[str, Tensor]:
        return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}

    state: dict[int, dict[str, Any]] = {}
    for key, value in part("optim.").items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    for index, values in meta["optim_scalars"].items():
        state.setdefault(int(index), {}).update(values)
    groups = meta["param_groups"]
    for group in groups:
        if "betas" in group:
            group["betas"] = tuple(group["betas"])
    best = part("best.")
    return Checkpoint(
        model=part("model."),
        optimizer={"state": state, "param_groups": groups},
        hidden=(tensors["hidden.h"], tensors["hidden.c"]),
        rng={k: v.to(torch.uint8) for k, v in part("rng.").items()},
        scalars=meta["scalars"],
        best_model=best or None,
    )
