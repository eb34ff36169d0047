"""How personas and jobs look in JSON answers; nothing secret ever goes in."""

from __future__ import annotations

from typing import Any

from serving.models import Job, Persona


def persona_json(persona: Persona) -> dict[str, Any]:
    """A persona as the API shows it to anyone."""
    return {
        "name": persona.name,
        "public": persona.public,
        "protected": persona.protected,
        "status": persona.status.value,
        "ready": persona.status.value == "ready",
        "figures": dict(persona.figures or {}),
        "created_at": persona.created_at.isoformat(),
    }


def job_json(job: Job) -> dict[str, Any]:
    """A job's state, progress, stage and error."""
    return {
        "id": job.id,
        "persona": job.persona.name,
        "state": job.state.value,
        "progress": job.progress,
        "stage": job.stage,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
