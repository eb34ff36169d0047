"""Jobs on Celery workers with a Redis broker (`MIMICAL_JOBS=celery`).

The task runs the same `build_persona` as the thread runner. Settings that matter,
each measured here the hard way:

- `acks_late` + `prefetch 1`: a job is acknowledged only when it ends, and a worker
  holds one at a time, so a crashed worker's job is not lost with it.
- the Redis visibility timeout is far above the longest job: Redis re-delivers an
  unacknowledged task after it, and a shorter one would start a running job twice.
  Crashed jobs are recovered sooner by the workers themselves: each one, at start
  and every minute, queues again the running jobs whose runner is dead (`lease`).
- `torch.set_num_threads(1)` in `worker_process_init`: torch's thread pool, once
  used in a parent, hangs forked children; one thread per child also keeps a
  machine's cores shared evenly between concurrent jobs.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from kombu.exceptions import OperationalError

from serving.config import Config
from serving.jobs.build import build_persona
from serving.jobs.lease import requeue_dead_jobs
from serving.jobs.runner import SubmitError
from serving.services import Services, open_services

log = logging.getLogger(__name__)

TASK_NAME = "mimical.build_persona"
QUEUE = "mimical"
VISIBILITY_TIMEOUT_S = 24 * 3600
RECOVER_EVERY_S = 60.0
# A request waits at most a few seconds for a broker that is down, then the API
# answers 503 and the persona is rolled back.
SEND_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}

_services: Services | None = None
_celery: Celery | None = None
_stop_recovery = threading.Event()


def make_celery(config: Config) -> Celery:
    """A Celery app for this config (broker from `MIMICAL_BROKER_URL`)."""
    app = Celery("mimical", broker=config.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a killed child's task goes back at once
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    app.task(name=TASK_NAME, ignore_result=True)(run_job)
    return app


def run_job(job_id: int) -> None:
    """The Celery task: build (or resume) one persona."""
    build_persona(worker_services(), job_id)


def worker_services() -> Services:
    """This worker process's services, opened on first use (after the fork)."""
    global _services
    if _services is None:
        _services = open_services(Config.from_env())
    return _services


class CeleryRunner:
    """Sends jobs to the Celery workers through the broker."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.app = make_celery(services.config)

    def submit(self, job_id: int) -> None:
        """Queue a job for any worker; `SubmitError` if the broker is unreachable."""
        try:
            self.app.send_task(
                TASK_NAME, args=[job_id], queue=QUEUE, retry_policy=SEND_RETRY
            )
        except (OperationalError, OSError) as error:
            raise SubmitError(f"the job broker is unreachable ({error})") from None

    def has(self, job_id: int) -> bool:
        """Never known here: the broker holds the queue."""
        return False

    def resume_unfinished(self) -> list[int]:
        """Queue again the jobs whose runner died (a duplicate task is harmless)."""
        ids = requeue_dead_jobs(self.services.db)
        for job_id in ids:
            self.submit(job_id)
        return ids

    def shutdown(self, wait: bool = True) -> None:
        """Close the broker connections."""
        self.app.close()


def run_worker(config: Config, concurrency: int, loglevel: str = "INFO") -> None:
    """Run a Celery worker for the persona jobs until it is stopped."""
    global _celery
    _celery = make_celery(config)
    _celery.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--concurrency={concurrency}",
            f"--queues={QUEUE}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
        ]
    )


@worker_process_init.connect(weak=False)
def _child_started(**_kwargs: Any) -> None:
    """A fresh pool child: one torch thread, and database connections of its own."""
    import torch

    torch.set_num_threads(1)
    global _services
    if _services is not None:  # inherited from the parent: never share its sockets
        _services.db.engine.dispose(close=False)
        _services = None


@worker_ready.connect(weak=False)
def _worker_ready(**_kwargs: Any) -> None:
    """Recover crashed jobs now and every minute, from the worker's main process."""
    if _celery is None:
        return
    _stop_recovery.clear()
    thread = threading.Thread(
        target=_recover_forever, name="mimical-recover", daemon=True
    )
    thread.start()


@worker_shutdown.connect(weak=False)
def _worker_shutdown(**_kwargs: Any) -> None:
    _stop_recovery.set()


def _recover_forever() -> None:
    assert _celery is not None
    from serving.jobs.sweeper import sweep

    runner = CeleryRunner.__new__(CeleryRunner)
    runner.services, runner.app = worker_services(), _celery
    while True:
        try:
            report = sweep(runner.services, runner)
            if report.requeued:
                log.info("worker %s re-queued jobs %s", os.getpid(), report.requeued)
        except Exception:  # a thread boundary: try again at the next round
            log.exception("recovering unfinished jobs failed")
        if _stop_recovery.wait(RECOVER_EVERY_S):
            return
