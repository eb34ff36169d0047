"""What several test packages share to serve and browse on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser
# Without the background-networking flags Chromium keeps dialling Google's hosts,
# which this machine's closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class _KeepAliveHandler(_QuietHandler):
    """HTTP/1.1 keep-alive, as graph.facebook.com allows (benchmarks send many)."""

    protocol_version = "HTTP/1.1"


@contextmanager
def serving_in_thread(
    app: Any,
    ssl_context: tuple[str, str] | None = None,
    port: int = 0,
    keep_alive: bool = False,
) -> Iterator[BaseWSGIServer]:
    """Serve a WSGI app on 127.0.0.1 (a free port by default) until the block ends."""
    server = make_server(
        "127.0.0.1",
        port,
        app,
        threaded=True,
        request_handler=_KeepAliveHandler if keep_alive else _QuietHandler,
        ssl_context=ssl_context,
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
