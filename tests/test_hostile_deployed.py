"""The hostile node files (tests/hostile/deployed.py) through every command that reads node files
and through the role's filters: bounded time and memory, a documented exit code, never a
traceback, nothing printed from outside the node root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile.deployed import NODE_CASES, NodeCase
from test_hostile import ROOT, TIME_LIMIT, _limits, run_limited

INVENTORY = "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n"

# The role's verify on the controller: the filters get {node path: text}, as the read module
# returns it (the module reads regular files of at most 1 MiB).
FILTERS = r"""
import json, sys
from node_timing.ansible_filters import node_timing_profile
from node_timing.ansible_filters.node import node_timing_kubelet_verify
from node_timing.ansible_filters.check import node_timing_verify
files = json.load(open(sys.argv[1]))
profile = node_timing_profile("upstream", nodes=2)
print(json.dumps(node_timing_kubelet_verify(files, profile)))
print(json.dumps(node_timing_verify({"node1": files}, {"node1": {}}, control_plane=["cp1"])))
"""


def build(case: NodeCase, tmp: Path) -> tuple[Path, Path, dict[str, str]]:
    root = tmp / "collected" / "node1"
    texts: dict[str, str] = {}
    for node_path, content in case.files.items():
        target = root / node_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(target)
        else:
            target.write_text(content, encoding="utf-8")
        if target.is_file() and not target.is_symlink() and target.stat().st_size <= 1 << 20:
            texts[node_path] = target.read_text(encoding="utf-8")
    inv = tmp / "inv"
    inv.mkdir()
    (inv / "inventory.ini").write_text(INVENTORY)
    return root, inv, texts


def _checked(proc: subprocess.CompletedProcess[str], codes: set[int], case: NodeCase) -> str:
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    assert proc.returncode in codes, (proc.returncode, output[-3000:])
    for text in case.absent:
        assert text not in output
    return output


@pytest.mark.parametrize("case", NODE_CASES, ids=[c.name for c in NODE_CASES])
def test_node_case_through_every_command(case: NodeCase, tmp_path: Path) -> None:
    root, inv, texts = build(case, tmp_path)
    collected = str(root.parent)
    if case.lint is not None:
        proc = run_limited(
            "lint", "--format", "pep8", str(root / case.lint.lstrip("/")), cwd=tmp_path
        )
        output = _checked(proc, {case.exit}, case)
        assert case.expect in output, output[-3000:]
    _checked(run_limited("verify", str(inv), "--collected", collected, cwd=tmp_path), {0, 2}, case)
    _checked(run_limited("explain", str(inv), "--collected", collected, cwd=tmp_path), {0, 2}, case)
    files = tmp_path / "files.json"
    files.write_text(json.dumps(texts))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", FILTERS, str(files)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )
    _checked(proc, {0}, case)


def test_every_node_case_is_documented() -> None:
    doc = (ROOT / "docs" / "node-files.md").read_text(encoding="utf-8")
    assert [c.name for c in NODE_CASES if f"`{c.name}`" not in doc] == []
