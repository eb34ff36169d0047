"""The package keeps to its side of the architecture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_training_imports_no_web_database_or_storage_code() -> None:
    check = (
        "import sys, training, training.evaluate; "
        "bad = [m for m in ('flask', 'sqlalchemy', 'boto3', 'serving') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_training_never_unpickles() -> None:
    sources = "\n".join(p.read_text() for p in (ROOT / "training").glob("*.py"))
    assert "torch.load" not in sources and "import pickle" not in sources
