"""Helpers for the API tests: an export upload, creating a persona, waiting on jobs."""

from __future__ import annotations

import io
import json
import time
import zipfile
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
    deadline = time.monotonic() + timeout_s
    job: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while time.monotonic() < deadline:
        response = client.get(f"/api/jobs/{job_id}", headers=headers)
        assert response.status_code == 200, response.json
        job = response.json["job"]
        if job["state"] in ("succeeded", "failed"):
            return job
        if until != "done" and job["stage"] == until:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s: {job}")
