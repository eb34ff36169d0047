"""The report's pictures, drawn on the server with matplotlib from `report.json`.

Figures are made with `matplotlib.figure.Figure`, never pyplot: no global state
and no display, so request threads can draw at once (a figure saved as PNG is
drawn by Agg whatever backend is set). All are the same size, as small PNGs.
Real replies are always blue and the persona's always orange.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 640, 360, 100
REAL, PERSONA, OTHER = "#2457c5", "#e07b39", "#8a8f98"
# Style figures drawn as shares of replies (laughter is added by the job).
STYLE_RATES = (
    ("emoji_rate", "emoji"),
    ("emoticon_rate", "emoticons :)"),
    ("laughter", "laughter (haha, lol)"),
    ("starts_upper", "starts with a capital"),
    ("upper_letters", "capital letters"),
    ("ends_punct", "ends with punctuation"),
    ("question_rate", "asks a question"),
    ("exclaim_rate", "exclaims!"),
)
LENGTHS = (
    ("mean_chars", "mean"),
    ("median_chars", "median"),
    ("p90_chars", "90th pct"),
)


def _figure(draw: Callable[[Axes], None]) -> bytes:
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    axes = figure.add_subplot()
    draw(axes)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def loss_chart(report: dict[str, Any]) -> bytes:
    """Training and validation bits per character, step by step."""
    history = report.get("history") or []
    train = [(p["step"], p["train_bpc"]) for p in history if "train_bpc" in p]
    val = [(p["step"], p["val_bpc"]) for p in history if "val_bpc" in p]

    def draw(axes: Axes) -> None:
        if train:
            axes.plot(*zip(*train, strict=True), color=PERSONA, lw=1.5,
                      label="training (smoothed)")  # fmt: skip
        if val:
            axes.plot(*zip(*val, strict=True), "o-", color=REAL, ms=4,
                      label="held-out conversations")  # fmt: skip
        axes.set_xlabel("training step")
        axes.set_ylabel("bits per character (lower is better)")
        axes.grid(alpha=0.3)
        if train or val:
            axes.legend(frameon=False)

    return _figure(draw)


def bits_chart(report: dict[str, Any]) -> bytes:
    """Bits per character of held-out replies: the persona against baselines."""
    figures = report["evaluation"]
    rows = [
        ("uniform guess", figures["uniform_bpc"], OTHER),
        (f"Kneser-Ney {figures['ngram_order']}-gram", figures["ngram_bpc"], OTHER),
        ("this persona", figures["model_bpc"], PERSONA),
    ]

    def draw(axes: Axes) -> None:
        labels, values, colors = zip(*rows, strict=True)
        bars = axes.barh(labels, values, color=colors)
        axes.bar_label(bars, fmt="%.2f", padding=4)
        axes.set_xlabel("bits per character of the real replies (lower is better)")
        axes.set_xlim(0, max(values) * 1.15)

    return _figure(draw)


def length_chart(report: dict[str, Any]) -> bytes:
    """Reply length in characters, real against generated."""
    style = report["evaluation"]["style"]
    return _figure(
        lambda axes: _paired(
            axes,
            [label for _key, label in LENGTHS],
            [style["real"].get(key, 0.0) for key, _label in LENGTHS],
            [style["generated"].get(key, 0.0) for key, _label in LENGTHS],
            "characters per reply",
            "%.0f",
        )
    )


def style_chart(report: dict[str, Any]) -> bytes:
    """How often replies use emoji, capitals, punctuation and laughter."""
    style = report["evaluation"]["style"]
    laughter = style.get("laughter") or {}
    real = {**style["real"], "laughter": laughter.get("real", 0.0)}
    generated = {**style["generated"], "laughter": laughter.get("generated", 0.0)}
    return _figure(
        lambda axes: _paired(
            axes,
            [label for _key, label in STYLE_RATES],
            [100 * real.get(key, 0.0) for key, _label in STYLE_RATES],
            [100 * generated.get(key, 0.0) for key, _label in STYLE_RATES],
            "% of replies (capital letters: % of letters)",
            "%.0f",
            horizontal=True,
        )
    )


def _paired(
    axes: Axes,
    labels: list[str],
    real: list[float],
    generated: list[float],
    unit: str,
    fmt: str,
    horizontal: bool = False,
) -> None:
    """Real and generated bars side by side for each label."""
    positions = range(len(labels))
    width = 0.4
    draw = axes.barh if horizontal else axes.bar
    for offset, values, color, name in (
        (-width / 2, real, REAL, "real replies"),
        (width / 2, generated, PERSONA, "the persona's"),
    ):
        bars = draw([p + offset for p in positions], values, width, color=color,
                    label=name)  # fmt: skip
        axes.bar_label(bars, fmt=fmt, padding=2, fontsize=8)
    if horizontal:
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        axes.set_xlabel(unit)
    else:
        axes.set_xticks(list(positions), labels)
        axes.set_ylabel(unit)
    axes.legend(frameon=False, loc="best")


CHARTS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "loss": loss_chart,
    "bits": bits_chart,
    "length": length_chart,
    "style": style_chart,
}
