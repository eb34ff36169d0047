"""Generation speed: ms per 200-character reply, 1 and 32 conversations at once,
with 1 candidate a reply and with the default reranked candidates (with and
without the base model's contrast).

Also times one `nn.LSTM` step with oneDNN on and off, the measurement behind
`training.model.Stepper`. Uses an untrained model of the base model's size (speed
does not depend on the weights; its replies never end early, so every candidate
runs the full 200 characters: the worst case) unless --model points at a trained
folder. Prints figures, never fails.

    python bench/bench_generation.py [--model DIR] [--hidden 384] [--threads 1]
"""

from __future__ import annotations

import time

import click
import torch

from corpus import END_OF_TURN, Turn
from training import CharLSTM, ModelConfig, PersonaModel, Vocabulary
from training.rerank import DEFAULT_CANDIDATES, BaseScorer

HISTORY = [Turn("Juliet", False, "Wherefore art thou Romeo?")]
CHARS = 200


def time_replies(
    persona: PersonaModel, batch: int, repeats: int, candidates: int, contrast: float
) -> float:
    """Seconds for one batch of 200-char replies (the best of `repeats`)."""
    best = float("inf")
    for seed in range(repeats):
        started = time.perf_counter()
        persona.reply_batch(
            [HISTORY] * batch,
            max_chars=CHARS,
            seed=seed,
            temperature=1.0,
            top_p=None,
            candidates=candidates,
            contrast=contrast,
        )
        best = min(best, time.perf_counter() - started)
    return best


def time_module_step(model: CharLSTM, mkldnn: bool, batch: int) -> float:
    """Milliseconds per one-character step of the plain nn.LSTM module."""
    with torch.backends.mkldnn.flags(enabled=mkldnn), torch.inference_mode():
        x = torch.zeros(batch, 1, dtype=torch.long)
        state = None
        for i in range(220):
            if i == 20:
                started = time.perf_counter()
            _, _, state = model(x, state=state)
        return (time.perf_counter() - started) / 200 * 1000


@click.command()
@click.option("--model", "model_dir", default=None, help="A trained model folder.")
@click.option("--hidden", default=384, show_default=True)
@click.option("--layers", default=2, show_default=True)
@click.option("--threads", default=None, type=int, help="torch CPU threads.")
def main(model_dir: str | None, hidden: int, layers: int, threads: int | None) -> None:
    """Print generation timings."""
    if threads:
        torch.set_num_threads(threads)
    if model_dir:
        persona = PersonaModel.load(model_dir)
    else:
        vocab = Vocabulary.from_text("".join(map(chr, range(32, 127))))
        model = CharLSTM(ModelConfig(len(vocab), 64, hidden, layers, 0.0))
        with torch.no_grad():  # an untrained model never ends its turn: full length
            model.head.bias[vocab.id(END_OF_TURN)] = -1e4
        persona = PersonaModel(model, vocab, scorer=BaseScorer(model, vocab))
    config = persona.model.config
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, hidden "
        f"{config.hidden_size} x {config.num_layers} layers, vocab {config.vocab_size}"
    )
    for mkldnn in (True, False):
        for batch in (1, 32):
            ms = time_module_step(persona.model, mkldnn, batch)
            print(
                f"nn.LSTM one step, oneDNN {'on ' if mkldnn else 'off'}, "
                f"batch {batch:2d}: {ms:7.3f} ms"
            )
    settings = [(1, 0.0), (DEFAULT_CANDIDATES, 0.0), (DEFAULT_CANDIDATES, 0.5)]
    for candidates, contrast in settings:
        for batch in (1, 32):
            seconds = time_replies(persona, batch, 3, candidates, contrast)
            print(
                f"reply_batch x{batch:2d}, {candidates} candidates, contrast "
                f"{contrast}: {seconds * 1000:8.1f} ms per {CHARS}-char reply batch, "
                f"{seconds * 1000 / batch:7.1f} ms per reply"
            )


if __name__ == "__main__":
    main()
