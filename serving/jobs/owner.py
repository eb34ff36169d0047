"""Whose history is this? The senders an owner may pick, and the job's pause for it.

A job whose source asks for it (`confirm_owner`, set by the /create page) stops
after building the corpus for the guessed owner, lists the senders with their
counts, and waits until the owner answers or the time is up. Everything it
waits on is in the database: the answer goes into the job's source (`me`,
`owner_confirmed`) and the deadline into its details, so a job resumed after a
restart, on a thread or on a Celery worker, waits until the same moment and
never asks twice. Jobs that did not ask (the CLI, the API, the extension) never
stop here.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

import corpus
from corpus import Message
from serving.db import Database
from serving.jobs.lease import JobGone
from serving.models import Job, utcnow

CONFIRM_STAGE = "confirm owner"
# Long enough to read the page and pick; short enough that a closed tab does not
# hold a job runner for long (the build goes on with the guess).
CONFIRM_TIMEOUT = timedelta(minutes=5)
POLL_EVERY_S = 1.0
MAX_CANDIDATES = 8


class OwnerChoiceError(ValueError):
    """The sender chosen as the owner cannot be used for this job now."""


def candidates(messages: list[Message]) -> list[dict[str, Any]]:
    """The senders most likely to be the owner: in the most threads, then most
    messages (how `corpus.guess_persona` ranks them), with both counts."""
    threads: dict[str, set[str]] = {}
    sent: Counter[str] = Counter()
    for message in messages:
        threads.setdefault(message.sender, set()).add(message.thread_id)
        sent[message.sender] += 1
    ranked = sorted(threads, key=lambda s: (len(threads[s]), sent[s]), reverse=True)
    return [
        {"sender": s, "threads": len(threads[s]), "messages": sent[s]}
        for s in ranked[:MAX_CANDIDATES]
    ]


def guess_owner(messages: list[Message]) -> str | None:
    """The sender `corpus` would pick, or None when it cannot tell."""
    try:
        return corpus.guess_persona(messages)
    except corpus.PersonaNotFoundError:
        return None


def wait_for_owner(db: Database, job_id: int, guess: str | None) -> str:
    """Block until the owner picks a sender or the deadline passes; the sender.

    The deadline is the job's `details.corpus.confirm_by`, read again on every
    look, so a restart does not extend the wait.
    """
    while True:
        with db.session() as session:
            job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
            if job is None:
                raise JobGone(f"job {job_id} was deleted")
            if job.source.get("owner_confirmed"):
                return str(job.source.get("me") or guess)
            if utcnow() >= _deadline((job.details or {}).get("corpus") or {}):
                if guess is None:
                    raise corpus.PersonaNotFoundError(
                        "cannot tell whose history this is, and nobody chose in "
                        "time; create the persona again and pick the sender"
                    )
                # Leave the stage in this same transaction: a pick arriving
                # now is refused instead of silently ignored.
                job.stage = "building corpus"
                return guess
        time.sleep(POLL_EVERY_S)


def confirm_deadline(previous: dict[str, Any]) -> str:
    """The ISO time to wait until: an earlier attempt's, or from now on."""
    return _deadline(previous).isoformat()


def choose_owner(db: Database, job_id: int, sender: str) -> None:
    """Record the owner's pick on a job that is waiting for it."""
    with db.session() as session:
        job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
        if job is None or job.stage != CONFIRM_STAGE:
            raise OwnerChoiceError(
                "this build is not waiting for a choice any more; it went on with "
                "the sender shown"
            )
        listed = (job.details.get("corpus") or {}).get("candidates") or []
        if sender not in {c["sender"] for c in listed}:
            raise OwnerChoiceError(f"{sender!r} is not one of the senders listed")
        job.source = {**job.source, "me": sender, "owner_confirmed": True}


def _deadline(details: dict[str, Any]) -> datetime:
    text = details.get("confirm_by")
    if isinstance(text, str):
        return datetime.fromisoformat(text)
    return utcnow() + CONFIRM_TIMEOUT
