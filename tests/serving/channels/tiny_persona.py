"""Tiny real persona models, each trained once per test run in a few seconds.

Chat and webhook tests need a model that really generates; a 1-layer, 32-unit
char-LSTM trained for a few dozen steps on a synthetic history is enough, and its
artifact is copied into each test's storage and registered as a ready persona.

A second one texts in bursts: in its history the persona always answers with two
messages, "ok" then "sure thing", so its turn is "ok\nsure thing". Trained until
that is all it knows, it writes exactly that turn (top-p sampling leaves nothing
else), which lets tests assert how a turn of several messages is sent.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from corpus import Message, build_corpus
from serving.jobs.build import ARTIFACT_FILES
from serving.jobs.report import REPORT_DIR, write_report
from serving.models import Persona, PersonaStatus
from serving.personas import create_persona, name_key
from serving.security import hash_secret
from serving.services import Services
from serving.storage import new_artifact_key
from training import ModelConfig, TrainConfig, Vocabulary, train

PERSONA = "Romeo"
BURST = ("ok", "sure thing")  # the bursty persona's turn, message by message
LINES = (
    "hey how are you",
    "good thanks! and you?",
    "what are you up to tonight",
    "nothing much, maybe a film.",
    "see you later then",
    "sure, sounds great!",
    "did you eat yet?",
    "not yet. pizza?",
)

_built: dict[str, Path] = {}
_histories: dict[Path, list[dict[str, float]]] = {}  # artifact → its loss history
_hashes: dict[str, str] = {}  # argon2 is slow by design: hash each password once


def tiny_artifact(workdir: Path) -> Path:
    """The artifact folder of the tiny model (trained on first call, then reused)."""
    if "dir" in _built:
        return _built["dir"]
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    messages = []
    for n in range(400):
        sender = PERSONA if n % 2 else "Friend"
        at = start + timedelta(minutes=2 * n + (n // 10) * 60)
        messages.append(Message(f"t{n // 40}", sender, at, rng.choice(LINES)))
    _built["dir"] = _train(messages, workdir, max_steps=40, learning_rate=5e-3)
    return _built["dir"]


def bursty_artifact(workdir: Path) -> Path:
    """The artifact of a persona whose every turn is the messages in `BURST`."""
    if "bursty" in _built:
        return _built["bursty"]
    rng = random.Random(3)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    messages = []
    for n in range(120):
        at = start + timedelta(hours=n)  # each exchange a conversation of its own
        messages.append(Message(f"t{n % 10}", "Friend", at, rng.choice(LINES)))
        for second, text in enumerate(BURST, start=1):
            messages.append(
                Message(
                    f"t{n % 10}", PERSONA, at + timedelta(seconds=20 * second), text
                )
            )
    _built["bursty"] = _train(messages, workdir, max_steps=500, learning_rate=1e-2)
    return _built["bursty"]


def _train(
    messages: list[Message], workdir: Path, max_steps: int, learning_rate: float
) -> Path:
    """Train a 1-layer, 32-unit model on the history; its artifact folder."""
    corpus = build_corpus(messages, workdir / "corpus", me=PERSONA)
    vocab_size = len(Vocabulary.from_text(corpus.train_text))
    result = train(
        corpus,
        workdir / "model",
        TrainConfig(
            batch_size=8,
            seq_len=32,
            learning_rate=learning_rate,
            minutes=1.0,
            max_steps=max_steps,
            eval_interval=20 if max_steps < 100 else 50,
            eval_batches=2,
            checkpoint_seconds=1e9,
            device="cpu",
        ),
        ModelConfig(vocab_size, embed_dim=16, hidden_size=32, num_layers=1, dropout=0),
    )
    artifact = workdir / "artifact"
    artifact.mkdir()
    for name in ARTIFACT_FILES:  # what the persona job stores of a model folder
        (artifact / name).write_bytes((workdir / "model" / name).read_bytes())
    _histories[artifact] = result.history
    return artifact


def tiny_artifact_with_report(workdir: Path) -> Path:
    """The tiny model's artifact with the report a job stores beside it (made
    by the job's own `write_report` on the tiny model's corpus)."""
    if "report" in _built:
        return _built["report"]
    artifact = tiny_artifact(workdir / "tiny")
    trained = artifact.parent
    with_report = workdir / "with-report"
    shutil.copytree(artifact, with_report)
    write_report(
        trained / "model",
        trained / "corpus",
        _histories[artifact],
        with_report / REPORT_DIR,
    )
    _built["report"] = with_report
    return with_report


def add_ready_persona(
    services: Services,
    artifact: Path,
    name: str = PERSONA,
    public: bool = True,
    password: str | None = None,
    artifact_key: str | None = None,
) -> str:
    """Register a ready persona whose model is `artifact` (or an already stored
    `artifact_key`); return its artifact key. No manage token: argon2 is slow."""
    with services.db.session() as session:
        persona = Persona(
            name=name,
            name_key=name_key(name),
            public=public,
            password_hash=_hash(password) if password else None,
            status=PersonaStatus.READY,
            figures={},
        )
        session.add(persona)
        session.flush()
        if artifact_key is None:
            artifact_key = new_artifact_key(persona.id)
            services.storage.put_tree(artifact, artifact_key)
        persona.artifact_key = artifact_key
    return artifact_key


def add_pending_persona(services: Services, name: str) -> Persona:
    """Register a persona still being built."""
    with services.db.session() as session:
        persona, _token = create_persona(session, name, True, None)
        return persona


def _hash(password: str) -> str:
    if password not in _hashes:
        _hashes[password] = hash_secret(password)
    return _hashes[password]
