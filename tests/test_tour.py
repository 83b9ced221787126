"""The tours of README.md ("Quick start") and docs/getting-started.md ("Tour"): every line runs as
shown, in order, in a fresh clone of this checkout, exits as its comment says, and leaves
``git status --porcelain`` empty: a reader who follows them changes no file of their checkout."""

from __future__ import annotations

import sys
from pathlib import Path

from tourkit import clone, commands, expected_exit, git_status, run_line, tour_lines

BINDIR = Path(sys.executable).parent  # node-timing as installed beside this Python


def test_the_tours_show_every_command() -> None:
    shown = {c[1] for line in tour_lines() for c in commands(line) if c[0] == "node-timing"}
    assert shown >= {"profile", "lint", "explain", "render", "fix", "rules", "simulate", "verify"}
    # fix writes only with --check, or into a copy; render only into a git-ignored directory
    for line in tour_lines():
        for c in commands(line):
            if c[:2] == ["node-timing", "fix"] and "--check" not in c:
                assert not c[2].startswith("examples/"), line
            if c[:2] == ["node-timing", "render"]:
                assert c[c.index("--out") + 1] == "rendered", line


def test_every_tour_line_runs_in_a_fresh_clone_and_changes_nothing_tracked(
    tmp_path: Path,
) -> None:
    repo = clone(tmp_path / "clone")
    assert git_status(repo) == ""
    ran = 0
    for line in tour_lines():
        if commands(line)[0][0] == "ansible-playbook":
            continue  # tests/ansible/test_examples.py runs these (they need ansible-playbook)
        proc = run_line(line, repo, BINDIR)
        output = proc.stdout + proc.stderr
        assert "Traceback" not in output, line
        assert proc.returncode == expected_exit(line), f"{line}: exit {proc.returncode}\n{output}"
        ran += 1
    assert ran >= 13
    assert (repo / "rendered" / "kubespray" / "node-timing.yml").is_file()
    assert git_status(repo) == ""
