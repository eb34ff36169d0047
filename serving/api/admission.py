"""What an anonymous caller may ask of the server before anything is saved.

Creating a persona costs minutes of CPU and a disk-sized upload, and anyone may
ask for one. So before the body is read: the address's rate
(`MIMICAL_RATE_CREATE`), its unfinished jobs (`MIMICAL_MAX_QUEUED_PER_IP`), all
unfinished jobs (`MIMICAL_MAX_QUEUED_JOBS`) and the uploads' disk
(`MIMICAL_UPLOADS_MAX_MB`) are checked; the training budget it may ask for is
capped by `MIMICAL_API_MAX_MINUTES` (`serving.api.create`).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import request
from sqlalchemy import select

from serving.api.errors import ServerBusy, TooManyJobs
from serving.api.owner import client_ip
from serving.api.state import AppState
from serving.channels.base import ip_requester
from serving.jobs.uploads import uploads_used_bytes
from serving.models import Job, JobState

UNFINISHED = (JobState.QUEUED, JobState.RUNNING)


def client_digest(secret_key: str, ip: str) -> str:
    """Whom a job was asked by, as stored on it: a keyed digest, never the address."""
    key = hashlib.sha256(f"mimical.client|{secret_key}".encode()).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def admit_creation(state: AppState) -> str:
    """Refuse a creation the limits do not allow; the caller's digest if allowed."""
    config = state.services.config
    ip = client_ip()
    state.limits.check("persona creations", config.rate_create, ip_requester(ip))
    client = client_digest(config.secret_key, ip)
    with state.services.db.session() as session:
        sources = list(
            session.scalars(select(Job.source).where(Job.state.in_(UNFINISHED)))
        )
    mine = sum(1 for source in sources if (source or {}).get("client") == client)
    if mine >= config.max_queued_per_ip:
        raise TooManyJobs(
            f"your address already has {mine} personas being built; wait until one "
            "is done"
        )
    if len(sources) >= config.max_queued_jobs:
        raise ServerBusy("the server is building as many personas as it can; try later")
    cap = config.uploads_max_mb * 1024 * 1024
    if uploads_used_bytes(config) + (request.content_length or 0) > cap:
        raise ServerBusy("the server has no room for more uploads now; try later")
    return client
