"""Training speed: our loop's chars/s against a bare nn.LSTM step of the same size.

Both run in this process, one after the other, on the same text; the bare loop is
embedding + nn.LSTM + linear head, forward, backward and an AdamW step, nothing
else. Our loop adds batching from streams, the carried state, the schedule,
clipping and progress reports. Goal: ratio >= 0.9. Prints figures, never fails.

    python bench/bench_training.py [--steps 60] [--hidden 384]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click
import torch

from corpus import Corpus
from training import ModelConfig, TrainConfig, TrainProgress, Vocabulary, train

SHAKESPEARE = Path(__file__).resolve().parents[1] / "../shared/data/tinyshakespeare.txt"


def bare_chars_per_s(
    model_config: ModelConfig, batch: int, seq_len: int, steps: int
) -> float:
    """Chars/s of the plainest possible training step at this size."""
    embed = torch.nn.Embedding(model_config.vocab_size, model_config.embed_dim)
    lstm = torch.nn.LSTM(
        model_config.embed_dim,
        model_config.hidden_size,
        model_config.num_layers,
        batch_first=True,
        dropout=model_config.dropout,
    )
    head = torch.nn.Linear(model_config.hidden_size, model_config.vocab_size)
    params = [*embed.parameters(), *lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.AdamW(params, lr=1e-3)
    x = torch.randint(0, model_config.vocab_size, (batch, seq_len))
    y = torch.randint(0, model_config.vocab_size, (batch, seq_len))
    warmup = 3
    for step in range(steps + warmup):
        if step == warmup:
            started = time.perf_counter()
        out, _ = lstm(embed(x))  # (B, T, H)
        logits = head(out)  # (B, T, V)
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return steps * batch * seq_len / (time.perf_counter() - started)


def loop_chars_per_s(
    text: str, model_config: ModelConfig, batch: int, seq_len: int, steps: int
) -> float:
    """Chars/s of `training.train` as its progress reports measure it."""
    cut = int(len(text) * 0.9)
    corpus = Corpus("bench", text[:cut], text[cut:], [], [], {})
    config = TrainConfig(
        batch_size=batch,
        seq_len=seq_len,
        minutes=None,
        max_steps=steps + 3,
        eval_interval=10**9,  # the bare loop does not evaluate either
        checkpoint_seconds=1e9,
        num_threads=torch.get_num_threads(),  # the same threads as the bare loop
    )
    marks: list[tuple[int, float]] = []

    def note(progress: TrainProgress) -> None:
        marks.append((progress.step, time.perf_counter()))

    with tempfile.TemporaryDirectory() as out:
        train(corpus, out, config, model_config, on_progress=note)
    (first_step, first), (last_step, last) = marks[2], marks[-2]
    return (last_step - first_step) * batch * seq_len / (last - first)


@click.command()
@click.option("--steps", default=40, show_default=True, help="Timed steps per loop.")
@click.option("--hidden", default=384, show_default=True)
@click.option("--layers", default=2, show_default=True)
@click.option("--batch", default=32, show_default=True)
@click.option("--seq-len", default=128, show_default=True)
@click.option("--threads", default=None, type=int, help="torch CPU threads.")
def main(
    steps: int, hidden: int, layers: int, batch: int, seq_len: int, threads: int | None
) -> None:
    """Print our loop's chars/s, the bare loop's, and their ratio."""
    if threads:
        torch.set_num_threads(threads)
    text = SHAKESPEARE.read_text(encoding="utf-8")
    vocab = Vocabulary.from_text(text)
    model_config = ModelConfig(len(vocab), 64, hidden, layers, 0.2)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"hidden {hidden} x {layers} layers, batch {batch} x {seq_len} chars"
    )
    # Interleaved, each twice, the better run counted: other jobs come and go.
    bare = bare_chars_per_s(model_config, batch, seq_len, steps)
    ours = loop_chars_per_s(text, model_config, batch, seq_len, steps)
    bare = max(bare, bare_chars_per_s(model_config, batch, seq_len, steps))
    ours = max(ours, loop_chars_per_s(text, model_config, batch, seq_len, steps))
    print(f"bare nn.LSTM step : {bare:10,.0f} chars/s")
    print(f"training.train    : {ours:10,.0f} chars/s")
    print(f"ratio             : {ours / bare:10.3f}   (goal >= 0.9)")


if __name__ == "__main__":
    main()
