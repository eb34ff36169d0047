"""The persona-building job: export → messages → corpus → model → stored artifact.

The same `build_persona(services, job_id)` runs in a thread or on a Celery worker. It
is idempotent: run again after a crash, it resumes from the last checkpoint in its
work folder and ends with a ready persona.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus
import scraper
import training
from serving.config import Config
from serving.db import Database
from serving.models import Job, JobState, PersonaStatus
from serving.services import Services
from serving.storage import new_artifact_key

log = logging.getLogger(__name__)

# What each stage contributes to the job's progress (0..1).
IMPORT_SHARE, CORPUS_SHARE, TRAIN_SHARE = 0.05, 0.05, 0.85
ARTIFACT_FILES = ("model.safetensors", "manifest.json")
PROGRESS_EVERY_S = 2.0

# Errors a user can act on: recorded on the job with their message.
USER_ERRORS: tuple[type[Exception], ...] = (
    scraper.ExportFormatError,
    corpus.PersonaNotFoundError,
    corpus.EmptyCorpusError,
    training.TrainingError,
)


ProgressHook = Callable[[float, str], None]


def work_dir(config: Config, job_id: int) -> Path:
    """The job's scratch folder: corpus, checkpoint, model before upload."""
    return config.home / "jobs" / str(job_id)


def build_persona(
    services: Services, job_id: int, on_progress: ProgressHook | None = None
) -> None:
    """Run (or resume) one persona-building job to completion or a recorded failure."""
    db = services.db
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise LookupError(f"no job {job_id}")
        if job.state == JobState.SUCCEEDED:
            return  # a redelivered task: nothing to do
        job.state, job.attempts, job.error = JobState.RUNNING, job.attempts + 1, None
        job.persona.status = PersonaStatus.TRAINING
        source, persona_id = dict(job.source), job.persona_id

    reporter = _Reporter(db, job_id, on_progress)
    try:
        key, figures = _run(services, job_id, persona_id, source, reporter)
    except USER_ERRORS as error:
        _fail(db, job_id, str(error))
        return
    except Exception as error:  # the job boundary: log the traceback, record why
        log.exception("job %s crashed", job_id)
        _fail(
            db, job_id, f"internal error ({type(error).__name__}); see the server log"
        )
        raise
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        persona = job.persona
        old_key = persona.artifact_key
        persona.artifact_key, persona.figures = key, figures
        persona.status = PersonaStatus.READY
        job.state, job.progress, job.stage = JobState.SUCCEEDED, 1.0, "done"
    if old_key and old_key != key:
        services.storage.delete_tree(old_key)
    _clean_up(services.config, job_id, source)
    reporter(1.0, "done")


def _run(
    services: Services,
    job_id: int,
    persona_id: int,
    source: dict[str, Any],
    report: ProgressHook,
) -> tuple[str, dict[str, Any]]:
    folder = work_dir(services.config, job_id)
    corpus_dir, model_dir = folder / "corpus", folder / "model"
    if not (corpus_dir / "corpus.json").exists():
        report(0.0, "importing")
        messages, _report = scraper.import_export(
            source["path"], format=source.get("format")
        )
        report(IMPORT_SHARE, "building corpus")
        corpus.build_corpus(messages, corpus_dir, me=source.get("me"))
    report(IMPORT_SHARE + CORPUS_SHARE, "training")
    minutes = float(source.get("minutes") or services.config.train_minutes)
    resume = (model_dir / "checkpoint").exists()

    def on_train(progress: training.TrainProgress) -> None:
        share = IMPORT_SHARE + CORPUS_SHARE + TRAIN_SHARE * progress.fraction
        report(share, "training")

    result = training.train(
        corpus_dir,
        model_dir,
        training.TrainConfig(minutes=minutes),
        resume=resume,
        on_progress=on_train,
    )
    report(1.0 - (1.0 - IMPORT_SHARE - CORPUS_SHARE - TRAIN_SHARE) / 2, "storing")
    staging = folder / "artifact"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in ARTIFACT_FILES:
        shutil.copy2(model_dir / name, staging / name)
    key = new_artifact_key(persona_id)
    services.storage.put_tree(staging, key)
    figures = {
        "val_bpc": result.val_bpc,
        "chars_seen": result.chars_seen,
        "wall_s": round(result.wall_s, 1),
    }
    return key, figures


def _fail(db: Database, job_id: int, message: str) -> None:
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.state, job.error, job.stage = JobState.FAILED, message, "failed"
        job.persona.status = PersonaStatus.FAILED


def _clean_up(config: Config, job_id: int, source: dict[str, Any]) -> None:
    """Drop the work folder and the uploaded export, unless the owner kept them."""
    if source.get("keep_data"):
        return
    shutil.rmtree(work_dir(config, job_id), ignore_errors=True)
    upload = source.get("upload")
    if upload:
        path = Path(upload)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


class _Reporter:
    """Writes progress to the Job row, at most every few seconds."""

    def __init__(self, db: Database, job_id: int, hook: ProgressHook | None) -> None:
        self.db, self.job_id, self.hook = db, job_id, hook
        self.last_write = 0.0
        self.last_stage = ""

    def __call__(self, fraction: float, stage: str) -> None:
        if self.hook is not None:
            self.hook(fraction, stage)
        now = time.monotonic()
        if stage == self.last_stage and now - self.last_write < PROGRESS_EVERY_S:
            return
        self.last_write, self.last_stage = now, stage
        with self.db.session() as session:
            job = session.get(Job, self.job_id)
            if job is not None:
                job.progress, job.stage = round(fraction, 4), stage
