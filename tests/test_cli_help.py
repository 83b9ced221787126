"""Every subcommand's --help shows examples, and every example works from the repository root.

The examples run in a copy of the repository's ``examples/`` (fix and render write there), as the
command a user pastes would: a subprocess, no shell.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from node_timing.cli import SUBCOMMANDS, build_parser

REPO = Path(__file__).resolve().parents[1]


def examples_of(command: str) -> list[str]:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command")
    epilog = sub.choices[command].epilog or ""  # type: ignore[union-attr]
    return [line.strip() for line in epilog.splitlines() if line.startswith("  node-timing ")]


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_help_shows_examples(command: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "node_timing", command, "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "examples (from the repository root):" in proc.stdout
    assert examples_of(command), f"{command} --help has no example"
    for example in examples_of(command):
        assert f"  {example}\n" in proc.stdout


CASES = [(command, example) for command in sorted(SUBCOMMANDS) for example in examples_of(command)]


@pytest.mark.parametrize(("command", "example"), CASES, ids=[e for _, e in CASES])
def test_every_example_runs(tmp_path: Path, command: str, example: str) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    argv = shlex.split(example)
    assert argv[:2] == ["node-timing", command]
    proc = subprocess.run(
        [sys.executable, "-m", "node_timing", *argv[1:]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    # 0 clean, 2 findings (the examples carry warnings on purpose), 8 fix fixed everything; never
    # a usage error (3) or nothing to read (5)
    assert proc.returncode in ((0, 2, 8) if command == "fix" else (0, 2)), output
    # fix reports on stderr; every other command's result is its stdout
    assert (proc.stderr if command == "fix" else proc.stdout).strip(), output


@pytest.mark.parametrize("command", ["explain", "lint"])
def test_a_profile_name_is_not_an_inventory(tmp_path: Path, command: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "node_timing", command, "fast"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 3
    assert proc.stderr.strip().splitlines() == [
        "node-timing: error: fast is a profile, not an inventory: "
        "`node-timing profile fast --nodes N` prints its settings and figures"
    ]
    (tmp_path / "fast").mkdir()  # a directory of that name is read as what it is
    assert (
        "is a profile"
        not in subprocess.run(
            [sys.executable, "-m", "node_timing", command, "fast"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
            timeout=60,
        ).stderr
    )
