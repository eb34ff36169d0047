"""The loss-curve picture written beside a trained model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

LOSS_CURVE_FILE = "loss_curve.png"


def save_loss_curve(history: Sequence[dict[str, float]], out_dir: str | Path) -> bool:
    """Plot train and validation bits/char against steps; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on servers; must precede pyplot
        from matplotlib.figure import Figure
    except ImportError:
        return False
    train = [(p["step"], p["train_bpc"]) for p in history if "train_bpc" in p]
    val = [(p["step"], p["val_bpc"]) for p in history if "val_bpc" in p]
    figure = Figure(figsize=(7, 4), dpi=100)  # not pyplot: no global state, thread-safe
    axes = figure.add_subplot()
    if train:
        axes.plot(*zip(*train, strict=True), label="train (smoothed)", lw=1)
    if val:
        axes.plot(*zip(*val, strict=True), "o-", label="validation", ms=3)
    axes.set_xlabel("step")
    axes.set_ylabel("bits per character")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(Path(out_dir) / LOSS_CURVE_FILE)
    return True
