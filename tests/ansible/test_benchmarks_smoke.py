"""The benchmark harness runs end to end and prints its table (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# the harness's own wiring: the same on every ansible-core
pytestmark = pytest.mark.one_core

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_prints_a_table(tmp_path: Path) -> None:
    out = tmp_path / "table.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--sizes",
            "3,6",
            "--role-hosts",
            "3",
            "--workdir",
            str(tmp_path / "work"),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = out.read_text(encoding="utf-8")
    assert proc.stdout.startswith(table.splitlines()[0])
    lines = table.splitlines()
    assert lines[0].startswith("| case |") and lines[1].startswith("|---")
    cases = [line.split("|")[1].strip() for line in lines[2:] if line.startswith("| ")]
    assert "lint vs `ansible-inventory --list`" in cases
    assert "lint vs parsing floor" in cases
    assert "lint linearity" in cases
    assert "lint linearity, a host_vars file of distinct values per host" in cases
    assert "verify vs lint of the same inventory" in cases
    assert "verify linearity" in cases
    assert "`profile` cold start" in cases
    role_ran = any(c.startswith("role") for c in cases)
    assert role_ran or "role: skipped" in table
    for line in lines[2:]:
        if line.startswith("| "):
            assert line.count("|") == 11, line
