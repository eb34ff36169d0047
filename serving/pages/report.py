"""The "does it sound like you?" report on the owner's page, and its pictures.

`report.json` is read from the artifact store (a folder or S3) and kept in a
small in-process cache by artifact key: an artifact never changes, so neither
do its report and its PNGs, which are drawn on first request and then served
from memory (a few tens of kilobytes each).
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flask import Blueprint, Response

from serving.api.errors import NotFound
from serving.api.state import app_state
from serving.jobs.report import REPORT_FILE, report_key
from serving.pages.charts import CHARTS, HEIGHT, STYLE_RATES, WIDTH
from serving.pages.common import owned_here
from serving.storage import LocalStorage, Storage

bp = Blueprint("report", __name__)

CACHE_ENTRIES = 64
_cache: OrderedDict[tuple[str, str], Any] = OrderedDict()
_lock = threading.Lock()

CAPTIONS = {
    "loss": "How it learned: bits per character while training (lower is better).",
    "bits": "How well it predicts your real replies it never saw, against a "
    "Kneser-Ney n-gram model of the same messages and a uniform guess.",
    "length": "How long replies are: yours and the persona's, in characters.",
    "style": "Style: how often replies use emoji, capitals, punctuation, laughter.",
}


def _cached(key: tuple[str, str], make: Any) -> Any:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = make()  # outside the lock: reading S3 or drawing takes a while
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value


def load_report(storage: Storage, artifact_key: str | None) -> dict[str, Any] | None:
    """The report stored with an artifact, or None (built before reports)."""
    if not artifact_key:
        return None
    return _cached((artifact_key, "report"), lambda: _read(storage, artifact_key))


def _read(storage: Storage, artifact_key: str) -> dict[str, Any] | None:
    key = report_key(artifact_key)
    if isinstance(storage, LocalStorage):
        path = storage.local_path(key) / REPORT_FILE
        return json.loads(path.read_text()) if path.is_file() else None
    if not storage.exists(key):
        return None
    with tempfile.TemporaryDirectory(prefix="mimical-report-") as folder:
        storage.get_tree(key, Path(folder))
        return json.loads((Path(folder) / REPORT_FILE).read_text())


def report_view(storage: Storage, artifact_key: str | None) -> dict[str, Any] | None:
    """What the owner's page shows of the report: pictures, figures, examples."""
    report = load_report(storage, artifact_key)
    if report is None:
        return None
    figures = report["evaluation"]
    style = figures["style"]
    laughter = style.get("laughter") or {}
    rows = [
        (label, style["real"].get(key, laughter.get("real")),
         style["generated"].get(key, laughter.get("generated")))
        for key, label in STYLE_RATES
    ]  # fmt: skip
    return {
        "figures": figures,
        "charts": [
            {"kind": kind, "caption": caption, "width": WIDTH, "height": HEIGHT}
            for kind, caption in CAPTIONS.items()
        ],
        # In picture URLs, so a browser's cached picture of an older model is
        # never shown for a new one.
        "version": artifact_key.rsplit("/", 1)[-1][:12],
        "style_rows": rows,
        "examples": figures.get("examples") or [],
        "better_than_baseline": figures["model_bpc"] < figures["ngram_bpc"],
    }


@bp.get("/personas/<name>/report/<kind>.png")
def chart(name: str, kind: str) -> Response:
    """One picture of the report, drawn on the server."""
    draw = CHARTS.get(kind)
    if draw is None:
        raise NotFound(f"no picture called {kind!r}")
    with owned_here(name) as (_session, persona):
        artifact_key = persona.artifact_key
    storage = app_state().services.storage
    report = load_report(storage, artifact_key)
    if report is None or artifact_key is None:
        raise NotFound(f"{name} has no report yet")
    png = _cached((artifact_key, kind), lambda: draw(report))
    return Response(
        png,
        mimetype="image/png",
        headers={"Cache-Control": "private, max-age=3600"},
    )
