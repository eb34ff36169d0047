"""Who runs a job: a claim written on the Job row, kept alive by a heartbeat.

A job runs on at most one worker at a time. A worker claims it by writing its name
("host:pid:nonce") and a heartbeat; another worker may take it over only when that
name belongs to a dead process on this host, or when the heartbeat is stale. This is
what lets a re-delivered Celery task, or a server restarted after a crash, resume a
job without ever running it twice at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from serving.db import Database
from serving.models import Job, JobState, PersonaStatus, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 5.0
# A heartbeat older than this means the runner is gone (another host, or frozen).
STALE_AFTER = timedelta(seconds=90)
# A job that keeps killing its worker (out of memory, say) is failed, not retried.
MAX_ATTEMPTS = 5

_NONCE = uuid.uuid4().hex[:8]


def worker_name() -> str:
    """This process, as recorded on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{_NONCE}"


def runner_alive(name: str | None) -> bool:
    """Whether the process that wrote `name` may still be running."""
    if not name:
        return False
    host, _, rest = name.partition(":")
    pid_text, _, nonce = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another host: only its heartbeat can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return nonce == _NONCE  # same pid, other nonce: this process restarted
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claimable(job: Job) -> bool:
    """Whether a worker may start (or take over) this job now."""
    if job.state == JobState.QUEUED:
        return True
    if job.state != JobState.RUNNING:
        return False
    stale = job.heartbeat_at is None or utcnow() - job.heartbeat_at > STALE_AFTER
    return stale or not runner_alive(job.worker)


class JobGone(LookupError):
    """The job row does not exist (its persona was deleted)."""


class TooManyAttempts(RuntimeError):
    """The job crashed its runner too often to try again."""


def claim(db: Database, job_id: int) -> bool:
    """Mark the job as ours and running; False if it is done or someone runs it."""
    with db.session() as session:
        job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
        if job is None:
            raise JobGone(f"no job {job_id}")
        if not claimable(job):
            return False
        if job.attempts >= MAX_ATTEMPTS:
            job.state, job.stage, job.finished_at = JobState.FAILED, "failed", utcnow()
            job.error = (
                f"the job stopped its worker {job.attempts} times; the export may be "
                "too large for this server"
            )
            if job.persona.artifact_key is None:
                job.persona.status = PersonaStatus.FAILED
            raise TooManyAttempts(job.error)
        job.state, job.attempts, job.error = JobState.RUNNING, job.attempts + 1, None
        # A new attempt starts over: the stage a crashed attempt left (say "confirm
        # owner") would offer its owner a choice nothing waits for yet.
        job.stage = "queued"
        job.worker, job.heartbeat_at = worker_name(), utcnow()
        if job.persona.artifact_key is None:  # a retrain: the old model still chats
            job.persona.status = PersonaStatus.TRAINING
        return True


def unfinished_jobs(db: Database) -> list[int]:
    """Jobs queued, or running under a runner that is gone: to be run again."""
    with db.session() as session:
        jobs = session.scalars(
            select(Job).where(Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
        )
        return [job.id for job in jobs if claimable(job)]


def requeue_dead_jobs(db: Database) -> list[int]:
    """Put back in the queue the running jobs whose runner is gone; their ids.

    Marking them queued means the next sweep, by this worker or another, does not
    send them again while they wait for a free worker.
    """
    with db.session() as session:
        jobs = session.scalars(
            select(Job).where(Job.state == JobState.RUNNING).with_for_update()
        )
        dead = [job for job in jobs if claimable(job)]
        for job in dead:
            job.state, job.stage, job.worker = JobState.QUEUED, "queued", None
        return [job.id for job in dead]


class Heartbeat:
    """A thread that keeps a claimed job's heartbeat fresh until stopped."""

    def __init__(self, db: Database, job_id: int) -> None:
        self.db, self.job_id = db, job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"mimical-heartbeat-{job_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY_S):
            try:
                with self.db.session() as session:
                    job = session.get(Job, self.job_id)
                    if job is not None and job.state == JobState.RUNNING:
                        job.heartbeat_at = utcnow()
            except Exception:  # a thread boundary: a missed beat is not fatal
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
