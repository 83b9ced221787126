"""`node-timing lint` with no argument (the pre-commit hook's and the Action's default): every
inventory under the working directory, found by walking it as ansible-lint walks a project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from node_timing.inventory.discover import candidates

HOSTS = "[kube_control_plane]\ncp1\n[kube_node]\nnode1\n"


def inventory(root: Path, name: str, grace: str) -> Path:
    inv = root / name
    (inv / "group_vars" / "k8s_cluster").mkdir(parents=True)
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(
        f"kube_controller_node_monitor_grace_period: {grace}\n"
    )
    return inv


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node_timing", "lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_every_inventory_below_is_linted_and_nothing_else(tmp_path: Path) -> None:
    inventory(tmp_path, "inventory/prod", "15s")
    inventory(tmp_path, "inventory/sample", "50s")
    for skipped in (
        ".venv/lib/inv",
        "inventory/prod/credentials/inv",
        "inventory/prod/artifacts/x",
    ):
        inventory(tmp_path, skipped, "1s")
    # a playbook's group_vars: a candidate, but no hosts, so no inventory
    (tmp_path / "playbooks" / "group_vars").mkdir(parents=True)
    (tmp_path / "playbooks" / "group_vars" / "all.yml").write_text("x: 1\n")
    assert candidates(str(tmp_path)) == [
        str(tmp_path / "inventory" / "prod"),
        str(tmp_path / "inventory" / "sample"),
        str(tmp_path / "playbooks"),
    ]
    proc = lint(tmp_path, "--format", "pep8", "--kube-version", "1.33")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "inventory/prod/group_vars/k8s_cluster/k8s-cluster.yml:1" in proc.stdout
    assert "grace-vs-heartbeat" in proc.stdout
    assert "1s" not in proc.stdout  # nothing from .venv, credentials/ or artifacts/
    named = [line for line in proc.stderr.splitlines() if ": read " in line]
    assert [line.split(":")[1].strip() for line in named] == ["inventory/prod", "inventory/sample"]


def test_each_inventory_keeps_its_own_configuration(tmp_path: Path) -> None:
    inventory(tmp_path, "a", "15s")
    inventory(tmp_path, "b", "15s")
    (tmp_path / "a" / ".node-timing.yml").write_text("skip_list: [grace-vs-heartbeat]\n")
    proc = lint(tmp_path, "--format", "pep8", "--kube-version", "1.33")
    assert proc.returncode == 2, proc.stderr
    failing = {
        line.split("/")[0] for line in proc.stdout.splitlines() if "grace-vs-heartbeat" in line
    }
    assert failing == {"b"}


def test_no_inventory_below_is_exit_5_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "roles" / "x").mkdir(parents=True)
    proc = lint(tmp_path, "--format", "sarif")
    assert proc.returncode == 5
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "no inventory under the working directory" in proc.stderr
    assert '"results": []' in proc.stdout  # a valid, empty document for an upload step
