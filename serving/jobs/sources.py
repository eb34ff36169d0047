"""The job's first stages: read its source into messages, build the corpus.

A source is an uploaded export, an export path (the CLI, the demo) or Messenger
conversations read with sealed cookies, which are dropped once used. When the
source asks (`confirm_owner`, the /create page), the corpus built for the
guessed owner waits aside until the owner confirms or picks another sender.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import corpus
import scraper
from corpus import Corpus, Message
from scraper.messenger import scrape_threads
from serving.db import Database
from serving.jobs.failures import JobSourceError
from serving.jobs.owner import (
    CONFIRM_STAGE,
    candidates,
    confirm_deadline,
    guess_owner,
    wait_for_owner,
)
from serving.jobs.progress import JobReporter
from serving.jobs.sealing import open_cookies
from serving.jobs.uploads import fetch_upload
from serving.models import Job
from serving.services import Services

IMPORT_SHARE = 0.05  # of the job's progress


def build_job_corpus(
    services: Services,
    job_id: int,
    source: dict[str, Any],
    corpus_dir: Path,
    report: JobReporter,
) -> None:
    """Import the source and build the corpus, pausing for the owner if asked."""
    report(0.0, "importing")
    messages, found = _messages(services, job_id, source)
    report.note("import", found)
    report(IMPORT_SHARE, "building corpus")
    me = source.get("me")
    if not source.get("confirm_owner") or source.get("owner_confirmed"):
        report.note("corpus", _corpus_details(_corpus(messages, corpus_dir, me)))
        return
    # Built aside until confirmed: a job resumed mid-wait must wait again, and a
    # finished corpus folder means "go on training".
    pending = corpus_dir.with_name("corpus.pending")
    guess = me or guess_owner(messages)
    section: dict[str, Any] = {
        "guessed": guess,
        "candidates": candidates(messages),
        "confirm_by": confirm_deadline(report.details.get("corpus") or {}),
    }
    problem: ValueError | None = None
    if guess is not None:
        try:
            section.update(_corpus_details(_corpus(messages, pending, guess)))
        except (corpus.EmptyCorpusError, corpus.PersonaNotFoundError) as error:
            problem = error  # shown, so the owner can pick someone who replies
            section["problem"] = str(error)
    report.note("corpus", section)
    report(IMPORT_SHARE, CONFIRM_STAGE)
    chosen = wait_for_owner(services.db, job_id, guess)
    if chosen == guess:
        if problem is not None:
            raise problem
        shutil.rmtree(corpus_dir, ignore_errors=True)
        pending.rename(corpus_dir)
        return
    report(IMPORT_SHARE, "building corpus")
    shutil.rmtree(pending, ignore_errors=True)
    rebuilt = _corpus(messages, corpus_dir, chosen)
    section.pop("problem", None)
    report.note("corpus", {**section, **_corpus_details(rebuilt)})


def _corpus(messages: list[Message], out: Path, me: str | None) -> Corpus:
    """A fresh corpus folder for owner `me` (guessed when None)."""
    shutil.rmtree(out, ignore_errors=True)
    return corpus.build_corpus(messages, out, me=me)


def _corpus_details(built: Corpus) -> dict[str, Any]:
    """What the build page shows of a corpus: whose it is and how much it holds."""
    stats = dict(built.manifest.get("stats") or {})  # type: ignore[call-overload]
    return {
        "persona": built.persona,
        "pairs": len(built.train_pairs) + len(built.val_pairs),
        "pairs_held_out": len(built.val_pairs),
        "conversations": stats.get("conversations"),
        "persona_messages": stats.get("persona_messages"),
    }


def _messages(
    services: Services, job_id: int, source: dict[str, Any]
) -> tuple[list[Message], dict[str, Any]]:
    """Every message of the job's source (an uploaded export, a path, or
    Messenger), with the counts the build page shows."""
    kind = source.get("type", "export")
    if kind == "messenger":
        messages = _scrape_messenger(services, job_id, source)
        threads = len({message.thread_id for message in messages})
        return messages, {"messages": len(messages), "threads": threads}
    if kind != "export":
        raise JobSourceError(f"unknown source type {kind!r}")
    if source.get("upload_id"):
        path = fetch_upload(services.config, services.storage, source)
    else:
        path = Path(source["path"])
    messages, found = scraper.import_export(path, format=source.get("format"))
    return messages, {
        "messages": found.messages,
        "threads": len(found.per_thread),
        "files": found.files,
        "format": found.format,
        "skipped": dict(found.skipped),
    }


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
        forget_cookies(services.db, job_id)


def forget_cookies(db: Database, job_id: int) -> None:
    """Drop the sealed cookies from the job: they are used once."""
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is not None and "cookies_sealed" in job.source:
            job.source = {k: v for k, v in job.source.items() if k != "cookies_sealed"}
