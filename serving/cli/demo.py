"""`mimical demo`: the README's first command builds the sample persona and chats."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from serving.cli.chat import run_chat
from serving.cli.errors import UserError, user_errors
from serving.cli.personas import build_with_progress
from serving.jobs import register_persona
from serving.models import Job, JobState, PersonaStatus
from serving.personas import find_persona
from serving.services import Services, open_services

DEMO_NAME = "Romeo"
SAMPLE_EXPORT = Path(__file__).resolve().parent.parent / "demo" / "sample_export"


def ensure_demo_persona(services: Services, minutes: float) -> str:
    """Build the demo persona from the bundled sample export unless it is ready."""
    with services.db.session() as session:
        persona = find_persona(session, DEMO_NAME)
        if persona is not None and persona.status == PersonaStatus.READY:
            return persona.name
        pending = None
        if persona is not None:
            pending = session.scalar(
                select(Job.id)
                .where(Job.persona_id == persona.id, Job.state != JobState.SUCCEEDED)
                .order_by(Job.id.desc())
            )
            if pending is None:
                session.delete(persona)
    if pending is None:
        source = {
            "type": "export",
            "path": str(SAMPLE_EXPORT),
            "me": DEMO_NAME,
            "minutes": minutes,
            "keep_data": False,
        }
        pending = register_persona(services.db, DEMO_NAME, True, None, source).job_id
    else:
        with services.db.session() as session:  # a failed or interrupted demo build
            job = session.get(Job, pending)
            assert job is not None
            job.state = JobState.QUEUED
    outcome = build_with_progress(
        services, pending, f"building the demo persona {DEMO_NAME}"
    )
    if not outcome.succeeded:
        raise UserError(f"the demo persona could not be built: {outcome.error}")
    return DEMO_NAME


@click.command("demo")
@click.option(
    "--minutes",
    default=2.0,
    show_default=True,
    help="Training budget if the demo persona is not built yet.",
)
@click.option("--no-chat", is_flag=True, help="Only build the demo persona.")
def demo_command(minutes: float, no_chat: bool) -> None:
    """Build the demo persona from the bundled sample export, then chat with it."""
    with user_errors():
        services = open_services()
        name = ensure_demo_persona(services, minutes)
        if not no_chat:
            run_chat(services, name, as_json=False)
