"""The extension's JavaScript unit tests (`node --test`), run with the Python suite."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.extension.conftest import EXTENSION_DIR


def test_extension_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (20 or later) is needed for the extension's unit tests")
    run = subprocess.run(
        [node, "--test", "test/"],
        cwd=EXTENSION_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
