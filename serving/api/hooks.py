"""Per-request bookkeeping: the request id and the request metrics."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from serving.logs import new_request_id, request_id_var
from serving.metrics import REQUEST_SECONDS, REQUESTS

REQUEST_ID_HEADER = "X-Request-ID"


def register_hooks(app: Flask) -> None:
    """Give each request an id (echoed back) and count it."""

    @app.before_request
    def start() -> None:
        g.request_started = time.monotonic()
        g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request_id_var.set(g.request_id)

    @app.after_request
    def finish(response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        started = g.get("request_started")
        if started is not None:
            REQUEST_SECONDS.labels(endpoint).observe(time.monotonic() - started)
        if g.get("request_id"):
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response

    @app.teardown_request
    def forget(_error: BaseException | None) -> None:
        request_id_var.set(None)
