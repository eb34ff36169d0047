"""Training checkpoints copied to the artifact store, so any worker can resume.

Training writes its checkpoint folder atomically every `checkpoint_seconds`. The job
notices a new one from its progress callback, uploads it under a fresh key and only
then points `Job.checkpoint_key` at it (and deletes the previous one): the pointer
never names a half-uploaded checkpoint.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path

from serving.models import Job
from serving.services import Services
from training.checkpoint import CHECKPOINT_DIR

log = logging.getLogger(__name__)

POLL_EVERY_S = 1.0
_MARKER = "checkpoint.json"  # written inside every checkpoint folder


def restore_checkpoint(services: Services, job_id: int, model_dir: Path) -> bool:
    """Make sure the job's latest checkpoint is in `model_dir`; whether there is one."""
    local = model_dir / CHECKPOINT_DIR
    if (local / _MARKER).exists():
        return True  # this machine's own, at least as new as the stored one
    with services.db.session() as session:
        job = session.get(Job, job_id)
        key = job.checkpoint_key if job is not None else None
    if not key or not services.storage.exists(key):
        return False
    shutil.rmtree(local, ignore_errors=True)
    staging = model_dir / f".{CHECKPOINT_DIR}-download-{uuid.uuid4().hex}"
    services.storage.get_tree(key, staging)
    staging.rename(local)
    log.info("job %s resumes from stored checkpoint %s", job_id, key)
    return True


class CheckpointUploader:
    """Uploads each new local checkpoint of one job; call `poll()` often."""

    def __init__(self, services: Services, job_id: int, model_dir: Path) -> None:
        self.services, self.job_id = services, job_id
        self.marker = model_dir / CHECKPOINT_DIR / _MARKER
        self.folder = model_dir / CHECKPOINT_DIR
        self.last_seen = self._stamp()  # a restored checkpoint is stored already
        self.last_poll = 0.0

    def _stamp(self) -> int | None:
        try:
            return self.marker.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def poll(self) -> None:
        """Upload the local checkpoint if training wrote a new one since last time."""
        now = time.monotonic()
        if now - self.last_poll < POLL_EVERY_S:
            return
        self.last_poll = now
        stamp = self._stamp()
        if stamp is None or stamp == self.last_seen:
            return
        self.last_seen = stamp
        key = f"jobs/{self.job_id}/checkpoints/{uuid.uuid4().hex}"
        self.services.storage.put_tree(self.folder, key)
        with self.services.db.session() as session:
            job = session.get(Job, self.job_id)
            if job is None:
                self.services.storage.delete_tree(key)
                return
            old, job.checkpoint_key = job.checkpoint_key, key
        if old:
            self.services.storage.delete_tree(old)
        log.info("job %s checkpoint stored at %s", self.job_id, key)
