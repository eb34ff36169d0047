"""A throwaway PostgreSQL server for the tests that must see its semantics.

`MIMICAL_TEST_POSTGRES_URL` names an existing server; otherwise a cluster is made
with `initdb` in a temporary folder and started on a free port of 127.0.0.1 (as the
`postgres` user when the tests run as root, which PostgreSQL refuses to run as).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield a SQLAlchemy URL of a running server, or None if none can run here."""
    given = os.environ.get("MIMICAL_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="mimical-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    options = f"-k {folder} -h 127.0.0.1 -p {port} -F"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [*prefix, initdb, "-N", "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        **quiet,  # type: ignore[arg-type]
    )
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", options, "-w", "start"],
        check=True,
        **quiet,  # type: ignore[arg-type]
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            **quiet,  # type: ignore[arg-type]
        )
        shutil.rmtree(folder, ignore_errors=True)
