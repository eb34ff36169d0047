"""Registering a persona together with the job that builds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from serving.db import Database
from serving.models import Job, JobState
from serving.personas import create_persona


@dataclass(frozen=True)
class Registration:
    """What the owner gets back: ids and the one-time manage token."""

    persona_id: int
    persona_name: str
    job_id: int
    manage_token: str


def register_persona(
    db: Database, name: str, public: bool, password: str | None, source: dict[str, Any]
) -> Registration:
    """Create a pending persona and a queued job for it, in one transaction."""
    with db.session() as session:
        persona, token = create_persona(session, name, public, password)
        job = Job(persona=persona, state=JobState.QUEUED, source=source)
        session.add(job)
        session.flush()
        return Registration(persona.id, persona.name, job.id, token)
