"""What a running job tells the world: progress and stage, and the details the
owner's build page draws (import counts, corpus, live training figures).

Everything goes to the Job row, so any web process can answer the page, on
either runner, and a job resumed after a crash keeps the loss curve it had.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from typing import Any

from serving.db import Database
from serving.jobs.lease import JobGone
from serving.models import Job
from training import TrainProgress

ProgressHook = Callable[[float, str], None]

PROGRESS_EVERY_S = 2.0
# Points kept of the live loss curve: thinned by half when full, so a long run
# keeps its whole shape in a row of a few kilobytes.
MAX_LOSS_POINTS = 200
# Corpus details kept only while the owner may pick another sender.
_WHILE_CHOOSING = ("candidates", "guessed", "confirm_by")


class JobReporter:
    """Writes progress and details to the Job row, at most every few seconds."""

    def __init__(self, db: Database, job_id: int, hook: ProgressHook | None) -> None:
        self.db, self.job_id, self.hook = db, job_id, hook
        self.last_write = 0.0
        self.last_stage = ""
        with db.session() as session:
            job = session.get(Job, job_id)
            self.details: dict[str, Any] = (
                copy.deepcopy(job.details or {}) if job else {}
            )
        self._latest: TrainProgress | None = None

    def __call__(self, fraction: float, stage: str) -> None:
        """Report the job's share done and its stage (written when due)."""
        if self.hook is not None:
            self.hook(fraction, stage)
        now = time.monotonic()
        if stage == self.last_stage and now - self.last_write < PROGRESS_EVERY_S:
            return
        self.last_write, self.last_stage = now, stage
        self._note_training()
        self._write(progress=round(fraction, 4), stage=stage)

    def note(self, section: str, values: dict[str, Any]) -> None:
        """Record a stage's findings (import counts, corpus) and write them now."""
        self.details[section] = values
        self._write()

    def training(self, progress: TrainProgress) -> None:
        """Keep the latest training report; it is written with the next progress."""
        self._latest = progress

    def forget_candidates(self) -> None:
        """Drop the other senders' names once the job has ended (and write it)."""
        if without_candidates(self.details) != self.details:
            self.details = without_candidates(self.details)
            self._write()

    def _note_training(self) -> None:
        """Fold the latest training report into the details and the loss curve."""
        progress, self._latest = self._latest, None
        if progress is None or not math.isfinite(progress.train_loss):
            return
        training = dict(self.details.get("training") or {})
        losses = list(training.get("losses") or [])
        val = progress.val_bpc
        losses.append([progress.step, round(progress.train_loss, 4), _rounded(val)])
        if len(losses) > MAX_LOSS_POINTS:  # an odd count: first and last are kept
            losses = losses[::2]
        training.update(
            step=progress.step,
            train_bpc=round(progress.train_loss, 4),
            val_bpc=_rounded(val),
            eta_s=None if progress.eta_s is None else round(progress.eta_s),
            elapsed_s=round(progress.elapsed_s),
            losses=losses,
        )
        self.details["training"] = training

    def _write(self, **columns: Any) -> None:
        with self.db.session() as session:
            job = session.get(Job, self.job_id)
            if job is None:  # deleted with its persona: stop spending CPU on it
                raise JobGone(f"job {self.job_id} was deleted")
            for name, value in columns.items():
                setattr(job, name, value)
            job.details = copy.deepcopy(self.details)


def without_candidates(details: dict[str, Any]) -> dict[str, Any]:
    """Job details without the senders offered as owner (names of other people,
    kept only while the owner may pick one)."""
    corpus = details.get("corpus")
    if not isinstance(corpus, dict) or "candidates" not in corpus:
        return details
    kept = {k: v for k, v in corpus.items() if k not in _WHILE_CHOOSING}
    return {**details, "corpus": kept}


def _rounded(value: float | None) -> float | None:
    """A figure for JSON: 4 decimals, and None for missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 4)
