"""Helpers for the API tests: an export upload, creating a persona, waiting on jobs."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

REPO = Path(__file__).resolve().parents[2]
SAMPLE_EXPORT = REPO / "serving" / "demo" / "sample_export"
# Tiny budgets: a persona in a few seconds on a busy 2-core machine.
FAST_TRAIN = {"batch_size": 8, "seq_len": 32, "max_steps": 12}
FAST_MINUTES = 1.0  # a cap only; max_steps ends training first


def export_zip(folder: Path = SAMPLE_EXPORT) -> bytes:
    """A .zip of an export folder, as a browser would upload it."""
    if not folder.exists():
        folder = _tiny_export()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _tiny_export() -> Path:
    """A small Facebook-JSON export, for when the sample is not in this checkout."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="mimical-export-"))
    thread = root / "messages" / "inbox" / "juliet_1"
    thread.mkdir(parents=True)
    lines = [
        ("Juliet", "O Romeo, Romeo, wherefore art thou Romeo?"),
        ("Romeo", "Shall I hear more, or shall I speak at this?"),
        ("Juliet", "What's in a name? That which we call a rose smells as sweet."),
        ("Romeo", "I take thee at thy word: call me but love."),
    ] * 40
    start = 1_600_000_000_000
    messages = [
        {"sender_name": sender, "timestamp_ms": start + 60_000 * i, "content": text}
        for i, (sender, text) in enumerate(lines)
    ]
    body = {
        "participants": [{"name": "Romeo"}, {"name": "Juliet"}],
        "messages": list(reversed(messages)),
    }
    (thread / "message_1.json").write_text(json.dumps(body))
    return root


# A small export whose owner is guessed (Romeo is in every chat) and whose
# replies are short, so a persona built from it is checked in seconds.
SMALL_CHATS = {
    "juliet": ("Juliet", ["are you up?", "me neither haha", "see you at noon"]),
    "mercutio": ("Mercutio", ["party tonight?", "bring the masks", "lol ok"]),
    "benvolio": ("Benvolio", ["where were you", "we looked everywhere", "fine"]),
}
ROMEO_LINES = ("yes!", "can't sleep", "haha sure", "on my way", "ok see you", "lol")


def small_export_zip() -> bytes:
    """A Facebook-JSON export of three short chats, zipped as an upload."""
    buffer = io.BytesIO()
    start = 1_700_000_000_000
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (thread, (friend, lines)) in enumerate(SMALL_CHATS.items()):
            messages = []
            for i in range(48):  # a conversation every 8 messages (2-hour gaps)
                at = start + number * 10**9 + i * 60_000 + (i // 8) * 7_200_000
                sender, said = (friend, lines) if i % 2 == 0 else ("Romeo", ROMEO_LINES)
                text = said[(i // 2 + number) % len(said)]
                messages.append(
                    {"sender_name": sender, "timestamp_ms": at, "content": text}
                )
            body = {
                "participants": [{"name": friend}, {"name": "Romeo"}],
                "messages": list(reversed(messages)),
            }
            path = f"messages/inbox/{thread}_{number}/message_1.json"
            archive.writestr(path, json.dumps(body))
    return buffer.getvalue()


def create_persona(
    client: FlaskClient,
    name: str,
    upload: bytes,
    *,
    password: str | None = None,
    public: bool = True,
    me: str = "Romeo",
    keep_data: bool = False,
    train: dict[str, Any] | None = None,
    minutes: float = FAST_MINUTES,
) -> Any:
    """POST /api/persona with a multipart export upload; the test response."""
    data: dict[str, Any] = {
        "name": name,
        "public": "true" if public else "false",
        "me": me,
        "minutes": str(minutes),
        "keep_data": "true" if keep_data else "false",
        "train": json.dumps(train if train is not None else FAST_TRAIN),
        "export": (io.BytesIO(upload), "export.zip"),
    }
    if password is not None:
        data["password"] = password
    return client.post("/api/personas", data=data, content_type="multipart/form-data")


def wait_for_job(
    client: FlaskClient,
    job_id: int,
    timeout_s: float = 90.0,
    until: str = "done",
    token: str | None = None,
) -> dict[str, Any]:
    """Poll GET /api/jobs/ID until the job ends (or reaches a stage); its JSON.

    A private persona's job needs its manage `token`.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def read() -> dict[str, Any]:
        response = client.get(f"/api/jobs/{job_id}", headers=headers)
        assert response.status_code == 200, response.json
        return dict(response.json["job"])

    def there(job: dict[str, Any]) -> bool:
        ended = job["state"] in ("succeeded", "failed")
        return ended or (until != "done" and job["stage"] == until)

    return poll_job(read, there, timeout_s)


def poll_job(
    read: Callable[[], dict[str, Any]],
    there: Callable[[dict[str, Any]], bool],
    timeout_s: float,
) -> dict[str, Any]:
    """Read a job every 0.2 s until it is `there`; that job (else the test fails)."""
    deadline = time.monotonic() + timeout_s
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = read()
        if there(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job did not get there in {timeout_s} s: {job}")


def small_export_field() -> tuple[io.BytesIO, str]:
    """The small export as a multipart file field of the test client."""
    return io.BytesIO(small_export_zip()), "export.zip"
