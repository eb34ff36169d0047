"""Import speed and memory: a generated Facebook JSON export, read by the importer.

Writes a "Download Your Information"-shaped export of about --size-mb megabytes
(threads of 10,000-message files, pretty-printed, mojibake in some strings, some
media and notices) into a temporary folder, then imports it in a fresh process,
so the peak RSS is the import's own. Prints MB/s of message JSON, messages/s and
peak RSS. Never fails on speed; the goal is 50 MB/s.

    python bench/bench_import.py [--size-mb 200] [--keep DIR] [--list]
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from scraper import ImportReport, iter_messages

PER_FILE = 10_000  # what Facebook puts in one message_N.json
FILES_PER_THREAD = (1, 4)
WORDS = (
    "but soft what light through yonder window breaks it is the east and juliet "
    "sun arise fair kill envious moon who already sick pale with grief that thou "
    "her maid art far more than she be not since a love is o romeo wherefore"
).split()
EXTRA = ["caf\u00e9", "\U0001f339", "\u2764\ufe0f", "na\u00efve", "\U0001f602"]


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _messages(rng: random.Random, start_ms: int, count: int) -> list[dict]:
    """`count` messages, newest first as Facebook writes them."""
    people = ["Romeo Montague", _mojibake(f"Juli\u00e9t {rng.randrange(999)}")]
    out = []
    stamp = start_ms
    for _ in range(count):
        stamp += rng.randrange(2_000, 600_000)
        record: dict = {"sender_name": people[rng.random() < 0.5]}
        record["timestamp_ms"] = stamp
        roll = rng.random()
        if roll < 0.04:
            record["photos"] = [{"uri": "messages/inbox/x/photos/1.jpg"}]
        elif roll < 0.05:
            record["is_unsent"] = True
        else:
            words = rng.choices(WORDS, k=rng.randrange(2, 25))
            if roll < 0.15:
                words.append(rng.choice(EXTRA))
            record["content"] = _mojibake(" ".join(words))
        if roll > 0.97:
            record["reactions"] = [{"reaction": _mojibake("\u2764"), "actor": "R"}]
        record["is_geoblocked_for_viewer"] = False
        out.append(record)
    return out[::-1]


def generate(root: Path, size_mb: float, seed: int = 0) -> tuple[int, int]:
    """Write the export under root; return (message JSON bytes, files)."""
    rng = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    written = files = thread = 0
    while written < target:
        folder = root / "messages" / "inbox" / f"friend{thread}_{rng.randrange(10**9)}"
        folder.mkdir(parents=True)
        count = rng.randint(*FILES_PER_THREAD)
        start = 1_500_000_000_000 + thread * 10**9
        chunks = [_messages(rng, start + i * 10**12, PER_FILE) for i in range(count)]
        for number, chunk in enumerate(reversed(chunks), start=1):
            document = {
                "participants": [{"name": "Romeo Montague"}, {"name": "Juliet"}],
                "messages": chunk,
                "title": "Juliet",
                "is_still_participant": True,
                "thread_path": f"inbox/{folder.name}",
            }
            data = json.dumps(document, indent=2).encode()
            (folder / f"message_{number}.json").write_bytes(data)
            written += len(data)
            files += 1
            if written >= target:
                break
        thread += 1
    return written, files


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    VmHWM, because ru_maxrss survives exec and would report the parent's peak
    (the generator's) in the child that imports.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(root: Path) -> dict[str, float]:
    """Stream the export; the figures of this process."""
    before = peak_rss_mb()
    report = ImportReport()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in iter_messages(root, report=report):
        pass
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "messages": report.messages,
        "skipped": sum(report.skipped.values()),
        "files": report.files,
        "baseline_rss_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


@click.command()
@click.option("--size-mb", default=200.0, show_default=True, help="export size")
@click.option("--keep", type=click.Path(path_type=Path), help="write it here, keep")
@click.option("--import-only", type=click.Path(path_type=Path), hidden=True)
def main(size_mb: float, keep: Path | None, import_only: Path | None) -> None:
    """Generate an export, import it in a fresh process, print the figures."""
    if import_only:
        print(json.dumps(run_import(import_only)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        root = keep or Path(scratch) / "export"
        started = time.perf_counter()
        size, files = generate(root, size_mb)
        print(
            f"generated {size / 1e6:.0f} MB in {files} files "
            f"({time.perf_counter() - started:.1f} s)"
        )
        child = subprocess.run(
            [sys.executable, __file__, "--import-only", str(root)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout)
    seconds, cpu = figures["seconds"], figures["cpu_seconds"]
    print(
        f"import: {size / 1e6 / seconds:.1f} MB/s of message JSON, "
        f"{figures['messages'] / seconds:,.0f} messages/s "
        f"({figures['messages']:,} kept, {figures['skipped']:,} skipped, "
        f"{seconds:.1f} s wall)"
    )
    # On a shared machine wall time includes waiting; CPU time is the import's own.
    print(
        f"import by CPU time: {size / 1e6 / cpu:.1f} MB/s, "
        f"{figures['messages'] / cpu:,.0f} messages/s ({cpu:.1f} s)"
    )
    print(
        f"peak RSS {figures['peak_rss_mb']:.0f} MB "
        f"(interpreter and imports {figures['baseline_rss_mb']:.0f} MB); "
        "goal 50 MB/s"
    )


if __name__ == "__main__":
    main()
