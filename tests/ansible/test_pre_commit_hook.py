"""The pre-commit hook as a kubespray user adds it: `pre-commit try-repo` of this checkout in a
repository holding kubespray inventories runs `node-timing lint` with no arguments, which finds
them (the git-ignored inventory/mycluster included) and reports their findings, never a usage
error. Marked one_core: pre-commit builds the hook's own environment, whatever Ansible runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tourkit import clone

pytestmark = pytest.mark.one_core


def _run(args: list[object], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, timeout=900, **kw
    )  # type: ignore[call-overload]


KUBESPRAY_GITIGNORE = "inventory/*\n!inventory/sample\n"
HOSTS = "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n\n[k8s_cluster:children]\nkube_control_plane\nkube_node\n"


def test_try_repo_runs_the_hook_without_arguments_on_a_kubespray_checkout(tmp_path: Path) -> None:
    found = shutil.which("pre-commit")  # from the test extras, as .ci/run installs them
    assert found, "pre-commit is not on PATH: pip install -e '.[test]'"
    pre_commit = Path(found)
    # a clone of the committed state: pre-commit builds the hook's environment once for its
    # commit (with uncommitted changes it would build a new one for every run)
    source = clone(tmp_path / "node-timing")
    repo = tmp_path / "kubespray"
    for name, grace in (("sample", "50s"), ("mycluster", "15s")):
        inv = repo / "inventory" / name
        (inv / "group_vars" / "k8s_cluster").mkdir(parents=True)
        (inv / "inventory.ini").write_text(HOSTS)
        (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(
            f"kube_controller_node_monitor_grace_period: {grace}\n"
        )
    (repo / ".gitignore").write_text(KUBESPRAY_GITIGNORE)
    _run(["git", "init", "-q"], cwd=repo).check_returncode()
    _run(["git", "add", "-A"], cwd=repo).check_returncode()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("GITHUB_ACTIONS", None)
    proc = _run([pre_commit, "try-repo", source, "node-timing", "--all-files"], cwd=repo, env=env)
    output = proc.stdout + proc.stderr
    # pre-commit exits 1 when the hook fails: here on the git-ignored inventory's finding
    assert proc.returncode == 1, output
    assert "exit code: 2" in output
    assert "grace-vs-heartbeat" in output and "inventory/mycluster" in output
    assert "usage:" not in output
    # fixed: the hook passes (pre-commit reuses the hook's environment)
    (
        repo / "inventory" / "mycluster" / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    ).write_text("kube_controller_node_monitor_grace_period: 50s\n")
    again = _run([pre_commit, "try-repo", source, "node-timing", "--all-files"], cwd=repo, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout
