"""The tours: the console blocks of README.md's "Quick start" and docs/getting-started.md's "Tour",
each line run by bash from the repository root as a reader would type it.

A line's expected exit code is the ``exit N`` its comment names (0 when it names none).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOURS = (("README.md", "Quick start"), ("docs/getting-started.md", "Tour"))


def tour_lines(tours: tuple[tuple[str, str], ...] = TOURS, root: Path = REPO) -> list[str]:
    """Every ``$ `` line of the tours, in order, without the prompt."""
    lines = []
    for name, heading in tours:
        text = (root / name).read_text(encoding="utf-8")
        section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
        for block in re.findall(r"```console\n(.*?)```", section, re.DOTALL):
            lines.extend(line[2:] for line in block.splitlines() if line.startswith("$ "))
    return lines


def comment(line: str) -> str:
    """The comment of a tour line: what follows the first ``#`` standing alone as a word."""
    found = re.search(r"(?:^|\s)#(?:\s|$)(.*)$", line)
    return found.group(1) if found else ""


def expected_exit(line: str) -> int:
    found = re.search(r"\bexit (\d+)", comment(line))
    return int(found.group(1)) if found else 0


def commands(line: str) -> list[list[str]]:
    """The simple commands of a line (split at ``&&``), comment removed."""
    words = shlex.split(line, comments=True)
    out: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            out.append([])
        else:
            out[-1].append(word)
    return [c for c in out if c]


def run_line(line: str, cwd: Path, bindir: Path) -> subprocess.CompletedProcess[str]:
    """Run one tour line with bash in ``cwd``, ``bindir`` first on PATH (where node-timing is)."""
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def clone(dest: Path) -> Path:
    """A fresh clone of this checkout's committed state, as a reader gets it."""
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


def git_status(repo: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
