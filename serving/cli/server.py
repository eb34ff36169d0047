"""`mimical serve` (the web app on this machine) and `mimical worker` (Celery)."""

from __future__ import annotations

import logging
import os

import click

from serving.cli.errors import UserError, user_errors
from serving.config import Config
from serving.logs import configure_logging


def _config() -> Config:
    with user_errors():
        config = Config.from_env()
    try:
        configure_logging(config.log_format)
    except ValueError as error:
        raise UserError(str(error)) from None
    return config


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Reload on code changes; show tracebacks.")
def serve_command(host: str, port: int, debug: bool) -> None:
    """Serve the web app, API and chat channels (jobs run per MIMICAL_JOBS).

    For production run gunicorn instead: `gunicorn serving.wsgi:app`.
    """
    config = _config()
    from serving.app import create_app

    with user_errors():
        app = create_app(config)
    logging.getLogger(__name__).info("serving on http://%s:%s", host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    click.echo(f"Chat in your browser: http://{shown}:{port}/chat")
    click.echo(f"Make your own persona: http://{shown}:{port}/create")
    app.run(host=host, port=port, debug=debug, use_reloader=debug, threaded=True)


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Jobs run at once (default: the number of CPU cores).",
)
@click.option("--loglevel", default="INFO", show_default=True, help="Celery log level.")
def worker_command(concurrency: int | None, loglevel: str) -> None:
    """Run a Celery worker that builds personas (needs MIMICAL_JOBS=celery)."""
    config = _config()
    if config.jobs != "celery" or not config.broker_url:
        raise UserError("set MIMICAL_JOBS=celery and MIMICAL_BROKER_URL to run workers")
    from serving.jobs.celery_app import run_worker

    with user_errors():
        run_worker(config, concurrency or os.cpu_count() or 1, loglevel)
