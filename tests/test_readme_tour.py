"""The README's tour: every command in it runs as shown, in order, from the repository root.

The commands run in a copy of ``examples/`` (fix edits it, render writes beside it), one after the
other as a reader would type them, so a later command sees what an earlier one did.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tour_commands() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Tour\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, re.DOTALL)
    return [
        shlex.split(line[2:], comments=True)
        for block in blocks
        for line in block.splitlines()
        if line.startswith("$ ")
    ]


def test_the_tour_shows_every_command() -> None:
    shown = {argv[1] for argv in tour_commands() if argv[0] == "node-timing"}
    assert shown >= {"profile", "lint", "explain", "render", "fix", "rules", "simulate", "verify"}


def test_every_tour_command_runs(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    ran = 0
    for argv in tour_commands():
        if argv[0] != "node-timing":
            continue  # ansible-playbook lines run in tests/ansible
        proc = subprocess.run(
            [sys.executable, "-m", "node_timing", *argv[1:]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
            timeout=120,
        )
        shown = " ".join(argv)
        output = proc.stdout + proc.stderr
        assert "Traceback" not in output, shown
        expected = {"fix": (2,) if "--check" in argv else (8,), "verify": (2,)}.get(argv[1], (0,))
        assert proc.returncode in expected, f"{shown}: exit {proc.returncode}\n{output}"
        ran += 1
    assert ran >= 9
    assert (tmp_path / "rendered" / "kubespray" / "node-timing.yml").is_file()
