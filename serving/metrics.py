"""Prometheus metrics: requests, job durations, replies, persona turns, model cache.

The metric objects live in one module-level registry (Prometheus wants each name
registered once per process); the model cache and the job table are read when
`/metrics` is scraped, so nothing has to push figures into them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from serving.db import Database
from serving.model_cache import ModelCache
from serving.models import Job

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "mimical_http_requests",
    "HTTP requests answered, by endpoint and status.",
    ["method", "endpoint", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "mimical_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["endpoint"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "mimical_job_duration_seconds",
    "Wall time of persona-building job runs, by outcome.",
    ["outcome"],
    buckets=(5, 15, 30, 60, 120, 300, 600, 1200, 3600, 7200),
    registry=REGISTRY,
)
REPLIES = Counter(
    "mimical_chat_replies",
    "Chat messages answered, by channel.",
    ["channel"],
    registry=REGISTRY,
)
PERSONA_TURNS = Counter(
    "mimical_persona_turns",
    "Turns the persona models wrote, by channel.",
    ["channel"],
    registry=REGISTRY,
)


class AppCollector(Collector):
    """Reads the model cache and the job table of one app at scrape time."""

    def __init__(self, cache: ModelCache, db: Database) -> None:
        self.cache = cache
        self.db = db

    def collect(self) -> Iterable[Metric]:
        hits = CounterMetricFamily(
            "mimical_model_cache_hits", "Model lookups served from memory."
        )
        hits.add_metric([], self.cache.hits)
        misses = CounterMetricFamily(
            "mimical_model_cache_misses", "Model lookups that loaded from storage."
        )
        misses.add_metric([], self.cache.misses)
        cached = GaugeMetricFamily(
            "mimical_model_cache_bytes", "Memory held by cached persona models."
        )
        cached.add_metric([], self.cache.total_bytes())
        jobs = GaugeMetricFamily("mimical_jobs", "Jobs by state.", labels=["state"])
        with self.db.session() as session:
            rows = session.execute(select(Job.state, func.count()).group_by(Job.state))
            for state, count in rows:
                jobs.add_metric([str(state.value)], count)
        return [hits, misses, cached, jobs]


def exposition(
    extra: Collector | None = None, multiprocess_dir: str | None = None
) -> bytes:
    """The text exposition of the counters plus one app's collector.

    Under `gunicorn -w N` each worker counts in its own memory; with
    `PROMETHEUS_MULTIPROC_DIR` set, prometheus_client writes every worker's
    counts to files there, and a scrape of any worker sums them all.
    """
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir:
        MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry.register(_Forward(REGISTRY.collect))
    if extra is not None:
        registry.register(extra)
    return generate_latest(registry)


class _Forward(Collector):
    """Re-exposes another registry's metrics inside a per-scrape registry."""

    def __init__(self, collect: Callable[[], Iterable[Metric]]) -> None:
        self._collect = collect

    def collect(self) -> Iterable[Metric]:
        return self._collect()
