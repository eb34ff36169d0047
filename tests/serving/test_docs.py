"""Docs that tests keep true: `.env.example` and the CLI's help texts."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from serving.cli import main

REPO = Path(__file__).resolve().parents[2]
_READ = re.compile(r"""env(?:\.get\(|\[)\s*["']([A-Z0-9_]+)["']""")


def _example_variables() -> set[str]:
    lines = (REPO / ".env.example").read_text().splitlines()
    return {
        line.split("=", 1)[0].strip()
        for line in lines
        if "=" in line and not line.lstrip().startswith("#")
    }


def test_every_variable_the_config_reads_is_in_env_example() -> None:
    read = set(_READ.findall((REPO / "serving" / "config.py").read_text()))

    assert read, "found no variables in serving/config.py"
    assert read - _example_variables() == set()


def test_every_variable_in_env_example_has_a_comment() -> None:
    lines = (REPO / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            above = index - 1  # a group of variables may share one comment
            while (
                above >= 0 and "=" in lines[above] and not lines[above].startswith("#")
            ):
                above -= 1
            assert above >= 0 and lines[above].startswith("#"), f"no comment: {line}"


def _commands(
    group: click.Group, prefix: str = "mimical"
) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(main), ids=lambda v: str(v))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"{name} has no help text"
    assert command.get_short_help_str().strip()
