"""Persona commands: create one from an export, list them, delete one."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from serving.cli.errors import UserError, user_errors
from serving.jobs import build_persona, register_persona
from serving.models import Job, JobState
from serving.personas import delete_persona, get_persona, list_personas
from serving.services import Services, open_services


@dataclass(frozen=True)
class BuildOutcome:
    """How a foreground build ended."""

    succeeded: bool
    error: str | None
    figures: dict[str, Any]


def build_with_progress(services: Services, job_id: int, label: str) -> BuildOutcome:
    """Run a job in the foreground with a progress bar; say how it ended."""
    with tqdm(
        total=100,
        desc=label,
        unit="%",
        bar_format=(
            "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}] {postfix}"
        ),
    ) as bar:

        def show(fraction: float, stage: str) -> None:
            bar.n = round(100 * fraction, 1)
            bar.set_postfix_str(stage, refresh=False)
            bar.refresh()

        build_persona(services, job_id, on_progress=show)
    with services.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return BuildOutcome(
            job.state == JobState.SUCCEEDED, job.error, dict(job.persona.figures)
        )


def read_password(password_stdin: bool) -> str | None:
    """The password from the first line of standard input, if asked for."""
    if not password_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError("--password-stdin was given but standard input is empty")
    return password


@click.command("create")
@click.argument("name")
@click.option(
    "--export",
    "export_path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Your chat export: a folder or .zip.",
)
@click.option("--me", default=None, help="Your sender name (default: guessed).")
@click.option("--public", is_flag=True, help="List the persona in %show all.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Protect the persona with a password read from standard input.",
)
@click.option(
    "--minutes",
    type=float,
    default=None,
    help="Training time budget (default: MIMICAL_TRAIN_MINUTES or 2).",
)
@click.option(
    "--from-scratch",
    is_flag=True,
    help="Start from random weights instead of the shipped base chat model.",
)
def create_command(
    name: str,
    export_path: Path,
    me: str | None,
    public: bool,
    password_stdin: bool,
    minutes: float | None,
    from_scratch: bool,
) -> None:
    """Build a persona from an export and register it; ready when this returns."""
    password = read_password(password_stdin)
    with user_errors():
        services = open_services()
        source = {
            "type": "export",
            "path": str(export_path.resolve()),
            "me": me,
            "minutes": minutes,
            "from_scratch": from_scratch,
        }
        registration = register_persona(services.db, name, public, password, source)
    outcome = build_with_progress(services, registration.job_id, f"building {name}")
    if not outcome.succeeded:
        raise UserError(f"could not build {name}: {outcome.error}")
    figures = outcome.figures
    click.echo(
        f"{registration.persona_name} is ready "
        f"(validation {figures.get('val_bpc', float('nan')):.3f} bits/char)."
    )
    click.echo(
        f"manage token (shown once, keep it to delete the persona): "
        f"{registration.manage_token}",
        err=True,
    )


@click.group("personas", invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include private personas.")
@click.pass_context
def personas_group(ctx: click.Context, show_all: bool) -> None:
    """List personas (public ones unless --all)."""
    if ctx.invoked_subcommand is not None:
        return
    services = open_services()
    with services.db.session() as session:
        rows = list_personas(session, public_only=not show_all)
        if not rows:
            click.echo("no personas yet; create one with `mimical create`")
        for persona in rows:
            lock = "password" if persona.protected else "open"
            scope = "public" if persona.public else "private"
            bpc = persona.figures.get("val_bpc")
            figure = f"{bpc:.3f} bits/char" if bpc is not None else ""
            click.echo(
                f"{persona.name:24} {persona.status.value:9} {scope:8} "
                f"{lock:9} {figure}".rstrip()
            )


@personas_group.command("delete")
@click.argument("name")
@click.confirmation_option(prompt="Delete this persona and its model?")
def delete_command(name: str) -> None:
    """Delete a persona, its model and its chat sessions (local administration)."""
    services = open_services()
    with user_errors(), services.db.session() as session:
        persona = get_persona(session, name)
        delete_persona(session, services.storage, persona)
    click.echo(f"deleted {name}")
