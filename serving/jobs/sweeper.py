"""The sweeper: no job stays queued or running with nobody working on it.

A job can be stranded in three ways: its runner died (a crash, a killed worker,
a failure that could not be written), its message never reached a runner (the
broker was down, the queue full), or no worker has come for a long time. Every
server in thread mode and every Celery worker sweeps once a minute; running a
job twice is impossible (`lease.claim`), so sweeping from many places is safe.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from serving.jobs.build import fail_job
from serving.jobs.lease import requeue_dead_jobs
from serving.jobs.runner import JobRunner, SubmitError
from serving.models import Job, JobState, utcnow
from serving.services import Services

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 60.0
# Queued this long with no runner taking it: its message is sent again.
RESUBMIT_AFTER = timedelta(minutes=10)
# Queued this long: no worker is coming; the job fails and its upload goes.
MAX_QUEUED_AGE = timedelta(hours=24)
STALE_QUEUE_MESSAGE = "no worker took the job in time; create the persona again"


@dataclass
class SweepReport:
    """What one sweep did, by job id."""

    requeued: list[int] = field(default_factory=list)
    resubmitted: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def sweep(
    services: Services, runner: JobRunner, now: datetime | None = None
) -> SweepReport:
    """Re-queue jobs whose runner died, send stuck queued ones again, fail old ones."""
    now = now or utcnow()
    report = SweepReport(requeued=requeue_dead_jobs(services.db))
    with services.db.session() as session:
        queued = list(session.scalars(select(Job).where(Job.state == JobState.QUEUED)))
        too_old = [job.id for job in queued if job.created_at < now - MAX_QUEUED_AGE]
        resend = [
            job.id
            for job in queued
            if job.id not in too_old
            and (job.id in report.requeued or job.updated_at < now - RESUBMIT_AFTER)
            and not runner.has(job.id)
        ]
        for job in queued:
            if job.id in resend:
                job.updated_at = now  # one resend per interval, whoever sweeps
    for job_id in too_old:
        fail_job(services, job_id, STALE_QUEUE_MESSAGE)
        report.failed.append(job_id)
    for job_id in resend:
        try:
            runner.submit(job_id)
            report.resubmitted.append(job_id)
        except SubmitError as error:
            log.warning("job %s still waits for a runner: %s", job_id, error)
    if report.requeued or report.resubmitted or report.failed:
        log.info("sweeper: %s", report)
    return report


class Sweeper:
    """A daemon thread that sweeps every `every_s` seconds until stopped."""

    def __init__(
        self, services: Services, runner: JobRunner, every_s: float = SWEEP_EVERY_S
    ) -> None:
        self.services, self.runner, self.every_s = services, runner, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="mimical-sweeper", daemon=True
        )

    def start(self) -> Sweeper:
        """Start sweeping (the first sweep after one interval)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the sweep in progress, if any."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5.0)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                sweep(self.services, self.runner)
            except Exception:  # a thread boundary: try again at the next round
                log.exception("sweeping jobs failed")
