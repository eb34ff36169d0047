"""What a persona's owner may do, for the HTTP API (manage token) and the owner's
pages (their cookie) alike: see what deleting removes, delete everything, read
and forget kept conversations, and train again with more minutes.
"""

from __future__ import annotations

import io
import re
import shutil
from typing import Any

from flask import Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from corpus import Message, write_messages
from serving.jobs import JobRunner, work_dir
from serving.jobs.build import job_store_key
from serving.jobs.uploads import discard_upload, upload_available
from serving.model_cache import ModelCache
from serving.models import ApiKey, ChatSession, Job, JobState, Persona, StoredMessage
from serving.personas import PersonaError, delete_persona
from serving.services import Services

VISITOR = "visitor"
UNFINISHED = (JobState.QUEUED, JobState.RUNNING)  # a build is going on


class PersonaBusyError(PersonaError):
    """The persona is being built; wait until that ends."""


def removal_inventory(session: Session, persona: Persona) -> dict[str, Any]:
    """What deleting the persona removes, counted, for the owner to confirm."""

    def count(model: Any) -> int:
        query = select(func.count()).where(model.persona_id == persona.id)
        return int(session.scalar(query) or 0)

    return {
        "model": persona.artifact_key is not None,
        "builds": count(Job),
        "kept_exports": sum(bool(job.source.get("keep_data")) for job in persona.jobs),
        "chat_sessions": count(ChatSession),
        "stored_messages": count(StoredMessage),
        "api_keys": count(ApiKey),
    }


def remove_persona(services: Services, cache: ModelCache, persona_id: int) -> str:
    """Delete a persona and every trace: model and report, builds' corpora,
    checkpoints and uploads, chat sessions, kept conversations, API keys."""
    with services.db.session() as session:
        persona = session.get(Persona, persona_id)
        if persona is None:
            return ""
        artifact_key, name = persona.artifact_key, persona.name
        jobs = [(job.id, dict(job.source)) for job in persona.jobs]
        # The store first, inside the transaction: if it fails the answer is 503
        # with nothing committed, and the owner's retry finishes the deletion.
        for job_id, source in jobs:
            services.storage.delete_tree(job_store_key(job_id))
            discard_upload(services.config, services.storage, source)
        delete_persona(session, services.storage, persona)
    # Committed: from here on nothing can fail.
    for job_id, _source in jobs:
        shutil.rmtree(work_dir(services.config, job_id), ignore_errors=True)
    if artifact_key:
        cache.forget(artifact_key)
    return name


def stored_conversation_rows(session: Session, persona: Persona) -> list[Any]:
    """The persona's kept web chat messages, in the order they were said."""
    query = select(StoredMessage).where(StoredMessage.persona_id == persona.id)
    return list(session.scalars(query.order_by(StoredMessage.id)))


def forget_conversations(session: Session, persona: Persona) -> int:
    """Delete every kept conversation of the persona; how many messages went."""
    result = session.execute(
        delete(StoredMessage).where(StoredMessage.persona_id == persona.id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def conversations_download(persona: str, rows: list[StoredMessage]) -> Response:
    """Kept conversations as Message JSON lines, the format the corpus reads."""
    out = io.StringIO()
    write_messages(
        (
            Message(
                f"{row.channel}-{row.conversation}",
                persona if row.from_persona else VISITOR,
                row.sent_at,
                row.text,
            )
            for row in rows
        ),
        out,
    )
    filename = re.sub(r"[^A-Za-z0-9._-]+", "_", persona) + "-web.jsonl"
    return Response(
        out.getvalue(),
        mimetype="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def latest_job(session: Session, persona: Persona) -> Job | None:
    """The persona's most recent build."""
    query = select(Job).where(Job.persona_id == persona.id).order_by(Job.id.desc())
    return session.scalar(query)


def kept_source(services: Services, persona: Persona) -> dict[str, Any] | None:
    """The last build's source if its export is still here to train on again."""
    for job in sorted(persona.jobs, key=lambda j: j.id, reverse=True):
        source = dict(job.source)
        if source.get("type") == "export" and upload_available(
            services.config, services.storage, source
        ):
            return source
    return None


def start_retrain(
    services: Services,
    runner: JobRunner,
    session: Session,
    persona: Persona,
    minutes: float,
    upload: dict[str, Any] | None,
) -> int:
    """Queue a new build of the persona with `minutes` of training; its job id.

    It reads `upload` (a new export), or else the export the last build kept.
    The persona keeps chatting with its current model until the new one is in.
    """
    if any(job.state in UNFINISHED for job in persona.jobs):
        raise PersonaBusyError(f"{persona.name} is being built already")
    previous = latest_job(session, persona)
    owner = None
    if previous is not None:
        owner = (previous.details.get("corpus") or {}).get("persona")
        owner = owner or previous.source.get("me")
    base = upload and {"type": "export", **upload}
    base = base or kept_source(services, persona)
    if base is None:
        raise PersonaError(
            "the export this persona was built from was deleted after its build; "
            "upload it again to train more"
        )
    keep = {"type", "path", "format", "upload_id", "filename", "upload_key"}
    keep.add("from_scratch")  # the same kind of model, only longer
    source = {k: v for k, v in base.items() if k in keep}
    source.update(me=owner, minutes=minutes, keep_data=bool(base.get("keep_data")))
    job = Job(persona=persona, state=JobState.QUEUED, source=source)
    session.add(job)
    session.flush()
    job_id = job.id
    session.commit()  # the runner may start it at once, from another session
    runner.submit(job_id)
    return job_id
