"""The persona-building job: source → messages → corpus → model → stored artifact.

The same `build_persona(services, job_id)` runs in a thread or on a Celery worker. It
is idempotent: a finished job is left alone, a job whose runner lives is not run
twice, and a job whose runner died resumes from its last checkpoint, which is
uploaded to the artifact store as training goes so another machine can continue it.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

import corpus
import scraper
import training
from corpus import Message
from scraper.messenger import scrape_threads
from serving.config import Config
from serving.db import Database
from serving.jobs.checkpoints import CheckpointUploader, restore_checkpoint
from serving.jobs.failures import USER_ERRORS, JobSourceError, public_message
from serving.jobs.lease import Heartbeat, JobGone, TooManyAttempts, claim
from serving.jobs.sealing import open_cookies
from serving.jobs.uploads import discard_upload, fetch_upload
from serving.logs import log_context
from serving.metrics import JOB_SECONDS
from serving.models import Job, JobState, PersonaStatus, utcnow
from serving.services import Services
from serving.storage import new_artifact_key

log = logging.getLogger(__name__)

# What each stage contributes to the job's progress (0..1).
IMPORT_SHARE, CORPUS_SHARE, TRAIN_SHARE = 0.05, 0.05, 0.85
# What is stored of a model folder: the weights, the manifest, and the index of
# others' phrasing the verbatim filter checks replies against.
ARTIFACT_FILES = ("model.safetensors", "manifest.json", "verbatim.safetensors")
PROGRESS_EVERY_S = 2.0
FAIL_ATTEMPTS = 4


ProgressHook = Callable[[float, str], None]


def work_dir(config: Config, job_id: int) -> Path:
    """The job's scratch folder: corpus, checkpoint, model before upload."""
    return config.home / "jobs" / str(job_id)


def job_store_key(job_id: int) -> str:
    """Where a job keeps its corpus and checkpoints in the artifact store."""
    return f"jobs/{job_id}"


def build_persona(
    services: Services, job_id: int, on_progress: ProgressHook | None = None
) -> None:
    """Run (or resume) one persona-building job to completion or a recorded failure."""
    db = services.db
    try:
        if not claim(db, job_id):
            log.info("job %s is finished or running elsewhere; nothing to do", job_id)
            return
    except (JobGone, TooManyAttempts) as error:
        log.warning("job %s not run: %s", job_id, error)
        return
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        source, persona_id = dict(job.source), job.persona_id

    started = time.monotonic()
    with log_context(source.get("request_id"), job_id), Heartbeat(db, job_id):
        log.info("job %s started for persona %s", job_id, persona_id)
        reporter = _Reporter(db, job_id, on_progress)
        try:
            key, figures = _run(services, job_id, persona_id, source, reporter)
        except JobGone:
            log.info("job %s stopped: its persona was deleted", job_id)
            _drop_local_data(services, job_id, {**source, "keep_data": False})
            return
        except USER_ERRORS as error:
            # The details (paths, senders' names) go to the log, never the job.
            log.info("job %s failed: %s", job_id, error)
            _fail(services, job_id, source, public_message(error, job_id))
            JOB_SECONDS.labels("failed").observe(time.monotonic() - started)
            return
        except Exception as error:  # the job boundary: log the traceback, record why
            log.exception("job %s crashed", job_id)
            _fail(services, job_id, source, public_message(error, job_id))
            JOB_SECONDS.labels("crashed").observe(time.monotonic() - started)
            raise
        # Local data first: once the job reads "succeeded", nothing raw is left.
        _drop_local_data(services, job_id, source)
        if not _succeed(services, job_id, key, figures):
            services.storage.delete_tree(key)  # deleted while it trained
            return
        services.storage.delete_tree(job_store_key(job_id))
        reporter(1.0, "done")
        JOB_SECONDS.labels("succeeded").observe(time.monotonic() - started)
        log.info("job %s done: persona %s is ready", job_id, persona_id)


def _run(
    services: Services,
    job_id: int,
    persona_id: int,
    source: dict[str, Any],
    report: ProgressHook,
) -> tuple[str, dict[str, Any]]:
    storage = services.storage
    folder = work_dir(services.config, job_id)
    corpus_dir, model_dir = folder / "corpus", folder / "model"
    stored_corpus = f"{job_store_key(job_id)}/corpus"
    if not (corpus_dir / "corpus.json").exists():
        if storage.exists(stored_corpus):  # built by an earlier attempt elsewhere
            storage.get_tree(stored_corpus, corpus_dir)
        else:
            report(0.0, "importing")
            messages = _messages(services, job_id, source)
            report(IMPORT_SHARE, "building corpus")
            shutil.rmtree(corpus_dir, ignore_errors=True)
            corpus.build_corpus(messages, corpus_dir, me=source.get("me"))
            storage.put_tree(corpus_dir, stored_corpus)
    report(IMPORT_SHARE + CORPUS_SHARE, "training")
    resume = restore_checkpoint(services, job_id, model_dir)
    uploader = CheckpointUploader(services, job_id, model_dir)
    resumed_from: list[int] = []

    def on_train(progress: training.TrainProgress) -> None:
        if resume and not resumed_from:
            resumed_from.append(progress.step - 1)
        uploader.poll()
        share = IMPORT_SHARE + CORPUS_SHARE + TRAIN_SHARE * progress.fraction
        report(share, "training")

    from_base = not source.get("from_scratch")
    result = training.train(
        corpus_dir,
        model_dir,
        train_config(services.config, source),
        resume=resume,
        on_progress=on_train,
        base=training.shared_base_model() if from_base else None,
    )
    report(1.0 - (1.0 - IMPORT_SHARE - CORPUS_SHARE - TRAIN_SHARE) / 2, "storing")
    staging = folder / "artifact"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in ARTIFACT_FILES:
        shutil.copy2(model_dir / name, staging / name)
    key = new_artifact_key(persona_id)
    storage.put_tree(staging, key)
    figures: dict[str, Any] = {
        "val_bpc": result.val_bpc,
        "chars_seen": result.chars_seen,
        "wall_s": round(result.wall_s, 1),
        "steps": result.steps,
    }
    if resumed_from:
        figures["resumed_from_step"] = resumed_from[0]
    return key, figures


def train_config(config: Config, source: dict[str, Any]) -> training.TrainConfig:
    """The training settings: the server's budget, overridden by the job's source."""
    minutes = source.get("minutes") or config.train_minutes
    return training.persona_train_config(
        not source.get("from_scratch"),
        {"minutes": float(minutes), **dict(source.get("train") or {})},
    )


def _messages(services: Services, job_id: int, source: dict[str, Any]) -> list[Message]:
    """Every message of the job's source: an uploaded export, a path, or Messenger."""
    kind = source.get("type", "export")
    if kind == "messenger":
        return _scrape_messenger(services, job_id, source)
    if kind != "export":
        raise JobSourceError(f"unknown source type {kind!r}")
    if source.get("upload_id"):
        path = fetch_upload(services.config, services.storage, source)
    else:
        path = Path(source["path"])
    messages, _report = scraper.import_export(path, format=source.get("format"))
    return messages


def _scrape_messenger(
    services: Services, job_id: int, source: dict[str, Any]
) -> list[Message]:
    sealed = source.get("cookies_sealed")
    if not sealed:
        raise JobSourceError(
            "the Messenger cookies were already used or dropped; create the persona "
            "again"
        )
    cookies = open_cookies(services.config.secret_key, sealed)
    try:
        return list(
            scrape_threads(
                cookies, list(source["thread_ids"]), services.config.messenger_url
            )
        )
    finally:
        _forget_cookies(services.db, job_id)


def _forget_cookies(db: Database, job_id: int) -> None:
    """Drop the sealed cookies from the job: they are used once."""
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is not None and "cookies_sealed" in job.source:
            job.source = {k: v for k, v in job.source.items() if k != "cookies_sealed"}


def _succeed(
    services: Services, job_id: int, key: str, figures: dict[str, Any]
) -> bool:
    with services.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return False
        persona = job.persona
        old_key = persona.artifact_key
        persona.artifact_key, persona.figures = key, figures
        persona.status = PersonaStatus.READY
        job.state, job.progress, job.stage = JobState.SUCCEEDED, 1.0, "done"
        job.finished_at, job.checkpoint_key = utcnow(), None
    if old_key and old_key != key:
        services.storage.delete_tree(old_key)
    return True


def fail_job(services: Services, job_id: int, message: str) -> None:
    """Record a job as failed with a message for its client, and clean it up."""
    with services.db.session() as session:
        job = session.get(Job, job_id)
        source = dict(job.source) if job is not None else {}
    _fail(services, job_id, source, message)


def _fail(
    services: Services, job_id: int, source: dict[str, Any], message: str
) -> None:
    # A database that hiccups must not leave the job "running" with nobody on it;
    # if it stays down, the sweeper (`serving.jobs.sweeper`) finds the job stale.
    Retrying(
        retry=retry_if_exception_type(SQLAlchemyError),
        stop=stop_after_attempt(FAIL_ATTEMPTS),
        wait=wait_exponential(multiplier=0.5, max=5.0),
        reraise=True,
    )(_record_failure, services, job_id, message)
    _forget_cookies(services.db, job_id)
    _clean_up(services, job_id, source)


def _record_failure(services: Services, job_id: int, message: str) -> None:
    with services.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.state, job.error, job.stage = JobState.FAILED, message, "failed"
        job.finished_at, job.checkpoint_key = utcnow(), None
        job.persona.status = PersonaStatus.FAILED


def _clean_up(services: Services, job_id: int, source: dict[str, Any]) -> None:
    """Drop the stored corpus and checkpoints, and the raw data unless kept."""
    _drop_local_data(services, job_id, source)
    services.storage.delete_tree(job_store_key(job_id))


def _drop_local_data(services: Services, job_id: int, source: dict[str, Any]) -> None:
    """Delete the upload and the work folder (corpus), unless the owner kept them."""
    if source.get("keep_data"):
        return
    shutil.rmtree(work_dir(services.config, job_id), ignore_errors=True)
    discard_upload(services.config, services.storage, source)


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
            if job is None:  # deleted with its persona: stop spending CPU on it
                raise JobGone(f"job {self.job_id} was deleted")
            job.progress, job.stage = round(fraction, 4), stage
