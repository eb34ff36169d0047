"""The persona-building job and the runners that execute it."""

from serving.jobs.build import build_persona, work_dir
from serving.jobs.enqueue import Registration, register_persona
from serving.jobs.runner import JobRunner, ThreadRunner, make_runner

__all__ = [
    "JobRunner",
    "Registration",
    "ThreadRunner",
    "build_persona",
    "make_runner",
    "register_persona",
    "work_dir",
]
