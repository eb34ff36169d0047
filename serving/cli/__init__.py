"""The `mimical` command line."""

from __future__ import annotations

import logging

import click

from serving.cli.chat import chat_command
from serving.cli.demo import demo_command
from serving.cli.discord import discord_group
from serving.cli.personas import create_command, personas_group
from serving.cli.pretrain import pretrain_command
from serving.cli.server import serve_command, worker_command
from serving.cli.stages import (
    corpus_command,
    eval_command,
    import_command,
    sample_command,
    train_command,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mimical-bot")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
def main(verbose: bool) -> None:
    """mimical: a chatbot that sounds like you, from your own message history.

    \b
    Quick start:
      mimical demo                       build the sample persona and chat
      mimical create NAME --export DIR   a persona from your Messenger export
      mimical chat NAME                  talk to it
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for command in (
    import_command,
    corpus_command,
    pretrain_command,
    train_command,
    sample_command,
    eval_command,
    create_command,
    personas_group,
    chat_command,
    demo_command,
    serve_command,
    worker_command,
    discord_group,
):
    main.add_command(command)

__all__ = ["main"]
