"""The role's findings give each group of hosts its own figures, as `node-timing lint` does: a
host_vars host with its own update frequency is one node writing, not the whole cluster."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from playbook_runner import REPO, play, run_playbook, write_project

ROLE = "kubetiming.node_timing.node_timing"
EXAMPLE = REPO / "examples" / "inventory" / "mycluster"


def cli_findings(inventory: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "node_timing", "lint", str(inventory), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 2), proc.stderr  # warnings only, or errors too
    findings: list[dict[str, Any]] = json.loads(proc.stdout)
    return findings


def by_hosts(findings: list[dict[str, Any]], rule: str) -> dict[tuple[str, ...], str]:
    return {tuple(sorted(f["hosts"])): f["message"] for f in findings if f["rule"] == rule}


def test_role_figures_per_group_match_the_cli(tmp_path: Path) -> None:
    inventory = tmp_path / "mycluster"
    shutil.copytree(EXAMPLE, inventory)
    playbook, _ = write_project(
        tmp_path,
        [
            {
                "name": "check",
                "hosts": "k8s_cluster",
                "gather_facts": False,
                "roles": [
                    {
                        "role": ROLE,
                        "node_timing_fail_on": "never",
                        "node_timing_export_kubespray_vars": False,
                    }
                ],
            },
            play([{"name": "findings", "ansible.builtin.debug": {"var": "node_timing.findings"}}]),
        ],
    )
    result = run_playbook(tmp_path, playbook, inventory / "inventory.ini")
    assert result.rc == 0, str(result)
    role = by_hosts(result.debug("findings", "node07"), "report-frequency")
    cli = by_hosts(cli_findings(inventory), "report-frequency")
    assert role[("node07",)] == cli[("node07",)]
    assert "1 node writes 6 Node status updates a minute, about 134.8 MB" in role[("node07",)]
    others = tuple(sorted(h for hosts in cli for h in hosts if h != "node07"))
    assert "14 nodes write 210 Node status updates a minute" in role[others]
    assert role == cli
