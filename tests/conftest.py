from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli():
    """Run the real ``node-timing`` command in a subprocess, as a user would."""

    def run(*args: str, cwd: str | Path | None = None, env: dict[str, str] | None = None) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "node_timing", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=120,
        )
        return Run(proc)

    return run
