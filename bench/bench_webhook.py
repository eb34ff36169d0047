"""Messenger webhook under load: 50 users chatting at once with the demo persona.

Starts the Send API stand-in (tests/standins/graph_api.py) in this process and the
app under gunicorn (`serving.wsgi:app`) in another, then lets every simulated user
pick the demo persona and chat: each signs and POSTs a webhook message, waits until
the stand-in receives the persona's reply, and sends the next. A reply is one
persona turn, which may be several messages (sent one by one with typing between):
its latency runs from webhook POST to the Send API call of its first message, and a
user waits for the turn's last message (no call for `SETTLE_S`) before sending on.
Prints replies per second, messages per reply, latency (p50/p99) and the server's
peak memory. The demo persona is built into the bench home on first run.
Prints figures, never fails on speed. CPU timings on a shared machine are noisy.

    python bench/bench_webhook.py [--users 50] [--seconds 20] [--workers 1]
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import click
import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from serving.chat import texts  # noqa: E402
from serving.cli.demo import DEMO_NAME, ensure_demo_persona  # noqa: E402
from serving.config import Config  # noqa: E402
from serving.services import open_services  # noqa: E402
from tests.standins.graph_api import PAGE_TOKEN, GraphStandIn, SendCall  # noqa: E402

SECRET = "bench-app-secret"
# Quiet time after which a turn's messages are all in: the next message of a turn
# follows its typing indicator within milliseconds (the turn is written at once).
SETTLE_S = 0.1
# What a new user who names the persona first gets: the disclosure, the greeting,
# and the confirmation of their choice.
OPENING = (texts.DISCLOSURE, texts.GREETING, texts.CHATTING.format(name=DEMO_NAME))
LINES = [
    "hey, how are you?",
    "what did you do today",
    "do you love her?",
    "tell me about the feast",
    "where are you now",
    "good night then",
]


class Users:
    """Each user's pending message: when it was posted, and a wake-up."""

    def __init__(self) -> None:
        self.posted: dict[str, float] = {}
        self.arrived: dict[str, threading.Event] = {}
        self.received: dict[str, list[SendCall]] = {}
        self.last_call: dict[str, float] = {}  # time.monotonic() of any call
        self.lock = threading.Lock()

    def on_call(self, call: SendCall) -> None:
        """Stand-in hook: a message (not an action) ends the user's wait."""
        with self.lock:
            self.last_call[call.recipient] = time.monotonic()
            if call.action is not None:
                return
            self.received.setdefault(call.recipient, []).append(call)
            event = self.arrived.get(call.recipient)
        if event is not None:
            event.set()

    def settle(self, user: str) -> None:
        """Wait until the user's turn is all in: no call for `SETTLE_S`."""
        while True:
            with self.lock:
                quiet = time.monotonic() - self.last_call.get(user, 0.0)
            if quiet >= SETTLE_S:
                return
            time.sleep(SETTLE_S - quiet)


def signed(body: dict) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {
        "X-Hub-Signature-256": f"sha256={digest}",
        "Content-Type": "application/json",
    }


_mids = itertools.count()


def message(user: str, text: str) -> dict:
    now = int(time.time() * 1000)
    return {
        "object": "page",
        "entry": [
            {
                "id": "1",
                "time": now,
                "messaging": [
                    {
                        "sender": {"id": user},
                        "recipient": {"id": "1"},
                        "timestamp": now,
                        "message": {"mid": f"m_bench_{next(_mids)}", "text": text},
                    }
                ],
            }
        ],
    }


_local = threading.local()


def _session() -> requests.Session:
    """One kept-alive connection per simulated user, as a real platform keeps."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def converse(
    url: str,
    user: str,
    users: Users,
    text: str,
    expect: int,
    timeout_s: float = 30.0,
) -> float | None:
    """POST one message, wait for `expect` messages and the rest of the turn;
    seconds to the `expect`-th message."""
    event = threading.Event()
    with users.lock:
        before = len(users.received.get(user, []))
        users.arrived[user] = event
    raw, headers = signed(message(user, text))
    started = time.time()
    response = _session().post(url, data=raw, headers=headers, timeout=timeout_s)
    response.raise_for_status()
    deadline = time.monotonic() + timeout_s
    while True:
        with users.lock:
            got = users.received.get(user, [])[before:]
        if len(got) >= expect:
            users.settle(user)
            return got[expect - 1].at - started
        if not event.wait(max(0.0, deadline - time.monotonic())):
            return None
        event.clear()


def peak_rss_mb(pids: list[int]) -> float:
    """Sum of the processes' peak resident memory (VmHWM), in MiB."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [master, *kids]


@click.command()
@click.option("--users", "n_users", default=50, show_default=True)
@click.option("--seconds", default=20.0, show_default=True, help="Measured time.")
@click.option(
    "--workers", default=2, show_default=True, help="gunicorn processes (one per core)."
)
@click.option("--threads", default=16, show_default=True, help="Threads per worker.")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=REPO / "var" / "bench-webhook",
    show_default=True,
    help="MIMICAL_HOME holding the demo persona (built there if missing).",
)
@click.option("--minutes", default=1.0, show_default=True, help="Demo build budget.")
@click.option(
    "--max-chars", default=120, show_default=True, help="MIMICAL_REPLY_MAX_CHARS."
)
def main(
    n_users: int,
    seconds: float,
    workers: int,
    threads: int,
    home: Path,
    minutes: float,
    max_chars: int,
) -> None:
    """Run the benchmark and print its figures."""
    home.mkdir(parents=True, exist_ok=True)
    services = open_services(Config(home=home))
    ensure_demo_persona(services, minutes)
    services.db.dispose()
    db_file = home / "mimical.db"
    run_home = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    shutil.copy(db_file, run_home / "mimical.db")  # fresh sessions every run
    shutil.copy(home / "secret_key", run_home / "secret_key")

    standin, users = GraphStandIn(), Users()
    standin.on_call = users.on_call
    with standin.serve() as graph_url:
        env = {
            **os.environ,
            "MIMICAL_HOME": str(run_home),
            "MIMICAL_STORAGE_URL": f"file://{(home / 'artifacts').resolve()}",
            "MIMICAL_LOG_FORMAT": "text",
            # One intra-op thread per process: batching gives the parallelism, and
            # OpenMP threads spinning on a busy 2-core machine cost 10x (measured).
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
            "MIMICAL_REPLY_MAX_CHARS": str(max_chars),
            "FB_APP_SECRET": SECRET,
            "FB_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
            "FB_VERIFY_TOKEN": "bench",
            "FB_GRAPH_URL": graph_url,
        }
        port = 18000 + os.getpid() % 1000
        log_file = (run_home / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "serving.wsgi:app",
                "-b", f"127.0.0.1:{port}", "-w", str(workers),
                "-k", "gthread", "--threads", str(threads),
                # Each worker listens on a socket of its own, and the kernel spreads
                # connections among them: kept-alive connections otherwise pile
                # onto one worker (measured: all 50 users on one of two).
                "--reuse-port",
            ],
            cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            figures = drive(
                f"http://127.0.0.1:{port}",
                users,
                n_users,
                seconds,
                lambda: cpu_seconds(server_pids(server.pid)),
            )
            figures["peak_rss_mib"] = round(peak_rss_mb(server_pids(server.pid)), 1)
        finally:
            server.terminate()
            server.wait(30)
            log_file.close()
    figures.update(users=n_users, workers=workers, threads=threads, max_chars=max_chars)
    print(json.dumps(figures, indent=2))
    shutil.rmtree(run_home, ignore_errors=True)


def drive(
    base: str,
    users: Users,
    n_users: int,
    seconds: float,
    server_cpu: Callable[[], float],
) -> dict:
    """Warm up, then let every user chat for `seconds`; the figures."""
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    url = f"{base}/webhooks/messenger"
    latencies: list[float] = []
    lost = [0]
    replies_sent = [0]
    start = threading.Barrier(n_users + 1)
    stop_at = [float("inf")]
    measure_from = [float("inf")]

    def user(n: int) -> None:
        name = f"bench-user-{n}"
        picked = converse(url, name, users, DEMO_NAME, expect=len(OPENING))
        if picked is None:
            lost[0] += 1
        start.wait()
        for turn in itertools.count():
            if time.monotonic() >= stop_at[0]:
                return
            posted = time.monotonic()
            latency = converse(url, name, users, LINES[(n + turn) % len(LINES)], 1)
            replies_sent[0] += 1
            if latency is None:
                lost[0] += 1
            elif posted >= measure_from[0]:
                latencies.append(latency)

    pool = [threading.Thread(target=user, args=(n,)) for n in range(n_users)]
    for thread in pool:
        thread.start()
    start.wait()
    warmup = 3.0
    measure_from[0] = time.monotonic() + warmup
    stop_at[0] = measure_from[0] + seconds
    time.sleep(warmup)
    cpu_before = (server_cpu(), time.process_time())
    for thread in pool:
        thread.join()
    server_s = server_cpu() - cpu_before[0]
    client_s = time.process_time() - cpu_before[1]
    greeted = sum(
        1
        for calls in users.received.values()
        if [call.text for call in calls[:2]] == list(OPENING[:2])
    )
    messages = sum(len(calls) - len(OPENING) for calls in users.received.values())
    latencies.sort()
    return {
        "replies": len(latencies),
        "replies_per_s": round(len(latencies) / seconds, 1),
        # Over the whole run (warm-up included): a turn may be several messages.
        "messages_per_reply": round(messages / max(1, replies_sent[0]), 2),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p99_s": round(latencies[int(0.99 * (len(latencies) - 1))], 3)
        if latencies
        else None,
        # CPU per reply: what a machine of its own would need (this one is shared).
        "server_cpu_ms_per_reply": round(1000 * server_s / max(1, len(latencies)), 2),
        "bench_and_standin_cpu_ms_per_reply": round(
            1000 * client_s / max(1, len(latencies)), 2
        ),
        "lost": lost[0],
        "users_greeted": greeted,
    }


if __name__ == "__main__":
    main()
