"""A tiny real persona model, trained once per test run in a few seconds.

Chat and webhook tests need a model that really generates; a 1-layer, 32-unit
char-LSTM trained for a few dozen steps on a synthetic history is enough, and its
artifact is copied into each test's storage and registered as a ready persona.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from corpus import Message, build_corpus
from serving.jobs.build import ARTIFACT_FILES
from serving.models import Persona, PersonaStatus
from serving.personas import create_persona, name_key
from serving.security import hash_secret
from serving.services import Services
from serving.storage import new_artifact_key
from training import ModelConfig, TrainConfig, Vocabulary, train

PERSONA = "Romeo"
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
    corpus = build_corpus(messages, workdir / "corpus", me=PERSONA)
    vocab_size = len(Vocabulary.from_text(corpus.train_text))
    train(
        corpus,
        workdir / "model",
        TrainConfig(
            batch_size=8,
            seq_len=32,
            minutes=0.2,
            max_steps=40,
            eval_interval=20,
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
    _built["dir"] = artifact
    return artifact


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
