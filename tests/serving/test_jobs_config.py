"""Job plumbing that needs no training: Celery settings, cookie seals, leases, CLI."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from serving.cli import main
from serving.config import Config
from serving.jobs import register_persona
from serving.jobs.celery_app import make_celery
from serving.jobs.lease import claim, runner_alive, worker_name
from serving.jobs.sealing import SealError, open_cookies, seal_cookies
from serving.models import Job, JobState
from serving.services import Services


def test_celery_settings_keep_long_jobs_safe(tmp_path: Path) -> None:
    config = Config(home=tmp_path, jobs="celery", broker_url="redis://127.0.0.1:1/0")

    conf = make_celery(config).conf

    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_reject_on_worker_lost is True
    # Redis re-delivers an unacknowledged task after this: far above any job.
    assert (
        conf.broker_transport_options["visibility_timeout"]
        > 4 * Config().api_max_minutes * 60
    )


def test_sealed_cookies_open_only_with_the_key_and_within_the_hour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sealed = seal_cookies("key-one", {"c_user": "42", "xs": "secret-value"})

    assert "secret-value" not in sealed
    assert open_cookies("key-one", sealed) == {"c_user": "42", "xs": "secret-value"}
    with pytest.raises(SealError, match="expired"):
        open_cookies("key-two", sealed)
    an_hour_later = time.time() + 3602
    monkeypatch.setattr("cryptography.fernet.time.time", lambda: an_hour_later)
    with pytest.raises(SealError):
        open_cookies("key-one", sealed)


def test_a_job_is_claimed_once_and_taken_over_when_its_runner_died(
    services: Services,
) -> None:
    job_id = register_persona(services.db, "Romeo", True, None, {"path": "x"}).job_id

    assert claim(services.db, job_id) is True
    assert claim(services.db, job_id) is False  # this live process runs it
    with services.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == JobState.RUNNING
        host = worker_name().split(":")[0]
        job.worker = f"{host}:{_dead_pid()}:0000"

    assert claim(services.db, job_id) is True
    with services.db.session() as session:
        assert session.get(Job, job_id).attempts == 2  # type: ignore[union-attr]


def test_runner_alive_knows_this_process_and_other_hosts() -> None:
    assert runner_alive(worker_name())
    assert runner_alive("another-host:1:abc")
    assert not runner_alive(None)


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_worker_command_needs_the_celery_configuration(home: Path) -> None:
    result = CliRunner().invoke(main, ["worker"])

    assert result.exit_code == 2
    assert "MIMICAL_JOBS=celery" in result.output
