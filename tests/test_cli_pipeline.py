"""The whole pipeline through the `mimical` command, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_EXPORT

MIMICAL = Path(sys.executable).parent / "mimical"


def mimical(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `mimical` command; input comes from a pipe, not a terminal."""
    return subprocess.run(
        [str(MIMICAL), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """import → corpus → train on the bundled sample, each stage a command."""
    work = tmp_path_factory.mktemp("stages")
    done = mimical("import", str(SAMPLE_EXPORT), "-o", str(work / "messages.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "Romeo" in done.stdout and "skipped:" in done.stdout
    done = mimical("corpus", str(work / "messages.jsonl"), "-o", str(work / "corpus"))
    assert done.returncode == 0, done.stderr
    assert "persona: Romeo" in done.stdout
    done = mimical(
        "train",
        str(work / "corpus"),
        "-o",
        str(work / "model"),
        "--minutes",
        "0.5",
        "--max-steps",
        "25",
    )
    assert done.returncode == 0, done.stderr
    assert "bits/char" in done.stdout
    return work


def test_stage_commands_write_the_documented_files(stages: Path) -> None:
    header = json.loads((stages / "messages.jsonl").read_text().splitlines()[0])
    assert header == {"format": "mimical.messages", "version": 1}
    assert (stages / "corpus" / "corpus.json").exists()
    manifest = json.loads((stages / "model" / "manifest.json").read_text())
    assert manifest["format"] == "mimical.artifact"
    assert (stages / "model" / "model.safetensors").exists()


def test_sample_answers_each_prompt_as_json(stages: Path) -> None:
    prompts = stages / "prompts.txt"
    prompts.write_text("Good morrow\nWhat news?\n")
    done = mimical(
        "sample",
        str(stages / "model"),
        "--prompts",
        str(prompts),
        "--json",
        "--seed",
        "3",
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["prompt"] for r in records] == ["Good morrow", "What news?"]
    assert all(isinstance(r["reply"], str) and r["reply"] for r in records)
    again = mimical(
        "sample",
        str(stages / "model"),
        "--prompts",
        str(prompts),
        "--json",
        "--seed",
        "3",
    )
    assert again.stdout == done.stdout, "a seed makes replies repeatable"


def test_create_then_chat_through_a_pipe(home: Path) -> None:
    done = mimical(
        "create",
        "Romeo",
        "--export",
        str(SAMPLE_EXPORT),
        "--public",
        "--minutes",
        "0.05",
    )
    assert done.returncode == 0, done.stderr
    assert "Romeo is ready" in done.stdout
    assert "manage token" in done.stderr

    chat = mimical("chat", "Romeo", stdin="Good morrow\nHow now?\n")
    assert chat.returncode == 0, chat.stderr
    replies = chat.stdout.splitlines()
    assert len(replies) >= 2 and all(line.strip() for line in replies[:2])
    assert "You are now chatting with Romeo" in chat.stderr

    listing = mimical("personas")
    assert listing.stdout.startswith("Romeo") and "ready" in listing.stdout


def test_private_persona_flows_in_the_chat(home: Path) -> None:
    done = mimical(
        "create",
        "Juliet",
        "--export",
        str(SAMPLE_EXPORT),
        "--me",
        "Juliet",
        "--password-stdin",
        "--minutes",
        "0.05",
        stdin="balcony\n",
    )
    assert done.returncode == 0, done.stderr

    session = mimical(
        "chat",
        "--json",
        stdin="%show all\nJuliet\nwrong\nbalcony\nHello\n%restart\n%help\n",
    )
    assert session.returncode == 0, session.stderr
    replies = [json.loads(line)["replies"] for line in session.stdout.splitlines()]
    assert replies[0] == [
        "There are no public personas yet. Type %help to see what I can do."
    ]
    assert replies[1] == [
        "This persona is password protected. Please enter a password."
    ]
    assert "wrong" in replies[2][0]
    assert replies[3][0].startswith("You are now chatting with Juliet")
    assert replies[4][0]
    assert replies[5][0].startswith("Who would you like to talk to?")
    assert "%show all" in replies[6][0]
    log = (home / "mimical.db").read_bytes()
    assert b"balcony" not in log, "the password is stored only as a hash"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{bad}", "-o", "{tmp}/m.jsonl"], "{bad}"),
        (["corpus", "{bad}", "-o", "{tmp}/c"], "not JSON"),
        (["train", "{tmp}", "-o", "{tmp}/m"], "corpus.json"),
        (["chat", "Nobody"], "Nobody"),
    ],
    ids=["import garbage", "corpus of garbage", "train without corpus", "no persona"],
)
def test_user_mistakes_give_one_line_and_exit_2(
    home: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    bad = tmp_path / "garbage.json"
    bad.write_text("{ not json")
    filled = [a.format(bad=bad, tmp=tmp_path) for a in args]
    done = mimical(*filled)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert message.format(bad=bad) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_demo_is_built_from_the_base_model_once_then_chats(home: Path) -> None:
    # `make run`: the first `mimical demo` builds Romeo; later runs only chat.
    built = mimical("demo", "--no-chat", "--minutes", "0.05")
    assert built.returncode == 0, built.stderr
    manifests = list((home / "artifacts" / "personas").rglob("manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    assert manifest["training"]["base_model"]["name"] == "base"  # not from scratch

    chat = mimical("demo", stdin="Good morrow\n")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.strip(), "the demo persona answers"
    assert "building" not in chat.stderr  # built once
