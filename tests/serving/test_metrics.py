"""`/metrics`: requests, model-cache figures, replies and jobs in Prometheus text."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient

from tests.serving.chatting import say, user


def test_metrics_count_requests_replies_and_jobs(
    app: Flask, client: FlaskClient
) -> None:
    channel = f"metrics-{uuid.uuid4().hex[:8]}"  # counters live as long as the process
    client.get("/healthz")
    say(app.extensions["mimical"].engine, user("u1", channel), "hello")

    response = client.get("/metrics")

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert (
        'mimical_http_requests_total{endpoint="health.healthz",method="GET",'
        'status="200"}' in text
    )
    assert f'mimical_chat_replies_total{{channel="{channel}"}} 1.0' in text
    assert "mimical_model_cache_hits_total 0.0" in text
    assert "mimical_model_cache_misses_total 0.0" in text
    assert "# TYPE mimical_job_duration_seconds histogram" in text
