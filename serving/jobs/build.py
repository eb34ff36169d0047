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
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

import training
from serving.config import Config
from serving.jobs.checkpoints import CheckpointUploader, restore_checkpoint
from serving.jobs.failures import USER_ERRORS, public_message
from serving.jobs.lease import Heartbeat, JobGone, TooManyAttempts, claim
from serving.jobs.progress import JobReporter, ProgressHook, without_candidates
from serving.jobs.report import REPORT_DIR, headline, write_report
from serving.jobs.sources import IMPORT_SHARE, build_job_corpus, forget_cookies
from serving.jobs.uploads import discard_upload
from serving.logs import log_context
from serving.metrics import JOB_SECONDS
from serving.models import Job, JobState, PersonaStatus, utcnow
from serving.services import Services
from serving.storage import new_artifact_key

log = logging.getLogger(__name__)

# What each stage contributes to the job's progress (0..1), after the import.
CORPUS_SHARE, TRAIN_SHARE = 0.05, 0.85
# What is stored of a model folder: the weights, the manifest, and the index of
# others' phrasing the verbatim filter checks replies against.
ARTIFACT_FILES = ("model.safetensors", "manifest.json", "verbatim.safetensors")
FAIL_ATTEMPTS = 4


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
        try:
            reporter = JobReporter(db, job_id, on_progress)
            key, figures = _run(services, job_id, persona_id, source, reporter)
            reporter.forget_candidates()
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
        if on_progress is not None:
            on_progress(1.0, "done")
        JOB_SECONDS.labels("succeeded").observe(time.monotonic() - started)
        log.info("job %s done: persona %s is ready", job_id, persona_id)


def _run(
    services: Services,
    job_id: int,
    persona_id: int,
    source: dict[str, Any],
    report: JobReporter,
) -> tuple[str, dict[str, Any]]:
    storage = services.storage
    folder = work_dir(services.config, job_id)
    corpus_dir, model_dir = folder / "corpus", folder / "model"
    stored_corpus = f"{job_store_key(job_id)}/corpus"
    if not (corpus_dir / "corpus.json").exists():
        if storage.exists(stored_corpus):  # built by an earlier attempt elsewhere
            storage.get_tree(stored_corpus, corpus_dir)
        else:
            build_job_corpus(services, job_id, source, corpus_dir, report)
            storage.put_tree(corpus_dir, stored_corpus)
    report(IMPORT_SHARE + CORPUS_SHARE, "training")
    resume = restore_checkpoint(services, job_id, model_dir)
    uploader = CheckpointUploader(services, job_id, model_dir)
    resumed_from: list[int] = []

    def on_train(progress: training.TrainProgress) -> None:
        if resume and not resumed_from:
            resumed_from.append(progress.step - 1)
        uploader.poll()
        report.training(progress)
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
    report(IMPORT_SHARE + CORPUS_SHARE + TRAIN_SHARE, "evaluating")
    staging = folder / "artifact"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in ARTIFACT_FILES:
        shutil.copy2(model_dir / name, staging / name)
    # Made now: the corpus it needs is deleted when the job ends.
    evaluation = write_report(
        model_dir, corpus_dir, result.history, staging / REPORT_DIR
    )
    report(1.0 - (1.0 - IMPORT_SHARE - CORPUS_SHARE - TRAIN_SHARE) / 2, "storing")
    key = new_artifact_key(persona_id)
    storage.put_tree(staging, key)
    figures: dict[str, Any] = {
        "val_bpc": result.val_bpc,
        "chars_seen": result.chars_seen,
        "wall_s": round(result.wall_s, 1),
        "steps": result.steps,
        **headline(evaluation),
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
    forget_cookies(services.db, job_id)
    _clean_up(services, job_id, source)


def _record_failure(services: Services, job_id: int, message: str) -> None:
    with services.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.state, job.error, job.stage = JobState.FAILED, message, "failed"
        job.finished_at, job.checkpoint_key = utcnow(), None
        job.details = without_candidates(job.details or {})
        if job.persona.artifact_key is None:  # a failed retrain keeps its model
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
