"""Progress reports of a training run, and a tqdm bar that shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TrainProgress:
    """One report, sent after every optimisation step."""

    step: int
    fraction: float  # 0..1 of the time budget or of max_steps, whichever is further
    train_loss: float  # smoothed training loss, bits per character
    val_bpc: float | None  # latest validation bits per character, None before any
    chars_per_s: float
    eta_s: float | None  # seconds left, None while unknown
    elapsed_s: float = 0.0  # training seconds so far, across resumes


def tqdm_progress(desc: str = "training") -> Callable[[TrainProgress], None]:
    """An `on_progress` callback drawing a tqdm bar (0-1000 per mille of the run).

    The bar closes itself when a report says the run is complete; call the returned
    function's `close()` to close it early.
    """
    from tqdm.auto import tqdm

    bar = tqdm(
        total=1000,
        desc=desc,
        unit="‰",
        bar_format=("{desc}: {percentage:3.0f}%|{bar}|{postfix}"),
    )

    def report(progress: TrainProgress) -> None:
        val = "-" if progress.val_bpc is None else f"{progress.val_bpc:.3f}"
        eta = "?" if progress.eta_s is None else _clock(progress.eta_s)
        bar.set_postfix_str(
            f"step {progress.step} loss {progress.train_loss:.3f} bpc "
            f"val {val} bpc {progress.chars_per_s:,.0f} chars/s ETA {eta}",
            refresh=False,
        )
        bar.update(max(0, round(progress.fraction * 1000) - bar.n))
        if progress.fraction >= 1.0:
            bar.close()

    report.close = bar.close  # type: ignore[attr-defined]
    return report


def _clock(seconds: float) -> str:
    """Seconds as m:ss."""
    minutes, secs = divmod(int(max(0.0, seconds)), 60)
    return f"{minutes}:{secs:02d}"
