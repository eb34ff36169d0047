"""What a job writes for its build page: a bounded loss curve, the senders an
owner may pick (ranked as the guess is), and a laughter figure for the report."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import scraper
from corpus import guess_persona
from serving.jobs import progress, register_persona
from serving.jobs.owner import candidates
from serving.jobs.progress import MAX_LOSS_POINTS, JobReporter, without_candidates
from serving.jobs.report import laugh_rate
from serving.models import Job
from serving.services import Services
from tests.serving.api_helpers import small_export_zip
from training import TrainProgress


def _report(step: int, loss: float, val: float | None = None) -> TrainProgress:
    return TrainProgress(step, step / 1000, loss, val, 100.0, 60.0 - step / 10)


def test_the_live_loss_curve_keeps_its_ends_in_a_bounded_row(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "PROGRESS_EVERY_S", 0.0)  # write every report
    job_id = register_persona(services.db, "Curve", True, None, {}).job_id
    reporter = JobReporter(services.db, job_id, None)

    reporter.training(_report(0, math.nan))  # before the first step: no point
    reporter(0.1, "training")
    for step in range(1, 451):
        val = 2.5 if step % 50 == 0 else None
        reporter.training(_report(step, 3.0 - step / 1000, val))
        reporter(0.1 + step / 1000, "training")

    with services.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        training = job.details["training"]
    steps = [point[0] for point in training["losses"]]
    assert len(steps) <= MAX_LOSS_POINTS
    assert steps[0] == 1 and steps[-1] == 450 and steps == sorted(steps)
    assert training["step"] == 450 and training["eta_s"] == 15
    assert training["losses"][-1] == [450, 2.55, 2.5]


def test_the_senders_offered_are_ranked_as_the_guess_is(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    export.write_bytes(small_export_zip())
    messages, _found = scraper.import_export(export)

    offered = candidates(messages)

    assert offered[0]["sender"] == guess_persona(messages) == "Romeo"
    assert offered[0] == {"sender": "Romeo", "threads": 3, "messages": 72}
    assert {c["sender"] for c in offered[1:]} == {"Juliet", "Mercutio", "Benvolio"}


def test_other_senders_names_go_when_the_job_ends() -> None:
    details = {
        "import": {"messages": 3},
        "corpus": {"persona": "Romeo", "guessed": "Romeo", "candidates": [{}]},
    }

    assert without_candidates(details) == {
        "import": {"messages": 3},
        "corpus": {"persona": "Romeo"},
    }
    assert without_candidates({"import": {}}) == {"import": {}}


@pytest.mark.parametrize(
    ("replies", "rate"),
    [
        (["haha yes", "LOL", "ok", "\U0001f602"], 0.75),
        (["hahaha", "hehe", "lmaooo", "xD"], 1.0),
        (["ha", "Hello", "lolly", "Oxford", "he said"], 0.0),
        ([], 0.0),
    ],
)
def test_laughter_is_counted_per_reply(replies: list[str], rate: float) -> None:
    assert laugh_rate(replies) == rate
