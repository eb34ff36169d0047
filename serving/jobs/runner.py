"""Job runners: threads inside this process, or Celery workers elsewhere."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from serving.jobs.build import build_persona
from serving.jobs.lease import unfinished_jobs
from serving.logs import request_id_var
from serving.services import Services

log = logging.getLogger(__name__)


class SubmitError(RuntimeError):
    """The job could not be handed to a runner now (queue full, broker down)."""


class JobRunner(Protocol):
    """Something that runs `build_persona(job_id)` eventually."""

    def submit(self, job_id: int) -> None: ...
    def has(self, job_id: int) -> bool: ...
    def resume_unfinished(self) -> list[int]: ...
    def shutdown(self, wait: bool = True) -> None: ...


class ThreadRunner:
    """One background thread: training is CPU-bound, so one job at a time.

    At most `max_queued` jobs wait here (`MIMICAL_MAX_QUEUED_JOBS`); past that
    `submit` refuses, so memory stays bounded whatever callers send.
    """

    def __init__(self, services: Services, max_queued: int | None = None) -> None:
        self.services = services
        self.max_queued = max_queued or services.config.max_queued_jobs
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mimical-job")
        self._lock = threading.Lock()
        self.futures: dict[int, Future[None]] = {}

    def submit(self, job_id: int) -> None:
        """Queue a job to run in this process; `SubmitError` if too many wait."""
        with self._lock:
            self.futures = {i: f for i, f in self.futures.items() if not f.done()}
            if job_id in self.futures:
                return  # already waiting or running here
            if len(self.futures) >= self.max_queued:
                raise SubmitError(f"{len(self.futures)} jobs are already waiting")
            self.futures[job_id] = self._pool.submit(self._run, job_id)

    def has(self, job_id: int) -> bool:
        """Whether the job waits or runs in this process."""
        with self._lock:
            future = self.futures.get(job_id)
            return future is not None and not future.done()

    def _run(self, job_id: int) -> None:
        request_id_var.set(None)  # pool threads are reused: start every job clean
        try:
            build_persona(self.services, job_id)
        except Exception:  # already logged and recorded on the job
            log.debug("job %s ended with an error", job_id)

    def resume_unfinished(self) -> list[int]:
        """Queue again the jobs a previous process left queued or running."""
        ids = unfinished_jobs(self.services.db)
        for job_id in ids:
            try:
                self.submit(job_id)
            except SubmitError:
                log.warning("job %s left for the sweeper: the queue is full", job_id)
        return ids

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; wait for the running one if asked."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def make_runner(services: Services) -> JobRunner:
    """The runner `MIMICAL_JOBS` names."""
    if services.config.jobs == "celery":
        from serving.jobs.celery_app import CeleryRunner

        return CeleryRunner(services)
    return ThreadRunner(services)
