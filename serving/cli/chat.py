"""The terminal channel: interactive on a terminal, one line per message in a pipe.

Input and output only, like every channel: lines in, the engine's replies out, one
line each (a persona turn of several messages is several lines).
"""

from __future__ import annotations

import getpass
import json
import sys
import uuid

import click

from serving.chat import (
    ChatEngine,
    ChatUser,
    EventKind,
    GenerationOptions,
    Incoming,
    Reply,
)
from serving.cli.errors import user_errors
from serving.model_cache import ModelCache
from serving.models import ChatSession
from serving.personas import get_persona
from serving.services import Services, open_services

CHANNEL = "terminal"


def make_engine(services: Services) -> ChatEngine:
    """A chat engine whose models load from this machine's storage."""
    cache = ModelCache(services.storage, services.config.home / "cache")
    options = GenerationOptions.from_config(services.config)
    return ChatEngine(services.db, cache.get, options)


def _account() -> str:
    """Whom the terminal's wrong passwords count against: the OS account."""
    try:
        return f"{CHANNEL}:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name and no passwd entry (containers)
        return f"{CHANNEL}:local"


def _show(replies: tuple[Reply, ...], speaker: str) -> None:
    for reply in replies:
        click.echo(f"{speaker}> {reply.text}")


def run_chat(services: Services, name: str | None, as_json: bool) -> None:
    """Chat on the terminal until end of input (or `%quit`)."""
    if name is not None:
        with services.db.session() as session:
            get_persona(session, name)  # an unknown name is a usage error here
    engine = make_engine(services)
    # A fresh session each run; wrong passwords count against the account.
    user = ChatUser(CHANNEL, f"{CHANNEL}-{uuid.uuid4().hex}", _account())
    interactive = sys.stdin.isatty() and not as_json
    try:
        if name is not None:
            first = Incoming(user, EventKind.CHOOSE, name)
        else:
            first = Incoming(user, EventKind.OPEN)
        opening = engine.handle(first).replies
        if interactive:
            _show(opening, "bot")
        else:
            for reply in opening:
                click.echo(reply.text, err=True)
        while True:
            try:
                line = input("you> ") if interactive else sys.stdin.readline()
            except EOFError:
                break
            if not interactive and not line:
                break
            text = line.strip()
            if text in ("%quit", "%exit"):
                break
            if not text:
                continue
            replies = engine.handle(Incoming(user, text=text)).replies
            if interactive:
                _show(replies, "bot")
            elif as_json:
                record = {"input": text, "replies": [r.text for r in replies]}
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                click.echo("\n".join(r.text for r in replies))
            sys.stdout.flush()
    finally:
        with services.db.session() as session:
            session.query(ChatSession).filter_by(
                channel=CHANNEL, user_id=user.user_id
            ).delete()


@click.command("chat")
@click.argument("name", required=False)
@click.option(
    "--json", "as_json", is_flag=True, help="In a pipe: one JSON object per input line."
)
def chat_command(name: str | None, as_json: bool) -> None:
    """Chat with a persona in the terminal (scriptable through a pipe)."""
    with user_errors():
        services = open_services()
        run_chat(services, name, as_json)
