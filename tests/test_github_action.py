"""action.yml: a composite action whose scripts, run here as GitHub runs them (bash -eo pipefail,
inputs in the environment), lint an inventory with annotations and write the SARIF report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: dict[str, dict[str, Any]] = {s["name"]: s for s in ACTION["runs"]["steps"]}


def test_action_is_composite_and_its_scripts_take_inputs_as_data() -> None:
    assert ACTION["runs"]["using"] == "composite"
    # no inventory: lint finds the repository's inventories, as the pre-commit hook does
    assert ACTION["inputs"]["inventory"]["required"] is False
    assert ACTION["inputs"]["inventory"]["default"] == ""
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    for name in re.findall(r"inputs\.([\w-]+)", text):
        assert name in ACTION["inputs"], name
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]  # no expression pasted into a script
            assert step["shell"] == "bash"
            check = subprocess.run(["bash", "-n"], input=step["run"], text=True, check=False)
            assert check.returncode == 0, step["name"]


def run_step(name: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # GitHub runs a bash step as `bash --noprofile --norc -eo pipefail {0}`
    script = tmp_path / "step.sh"
    script.write_text(STEPS[name]["run"], encoding="utf-8")
    bindir = Path(sys.executable).parent  # node-timing as installed beside this Python
    full = {**os.environ, **env, "PATH": f"{bindir}:{os.environ.get('PATH', '')}"}
    full.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("sarif", ["true", "false"])
def test_lint_step_annotates_and_reports_the_exit_code(tmp_path: Path, sarif: str) -> None:
    inv = tmp_path / "inventory" / "mycluster"
    (inv / "group_vars" / "k8s_cluster").mkdir(parents=True)
    (inv / "inventory.ini").write_text("[kube_control_plane]\ncp1\n[kube_node]\nn1\n")
    (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(
        "---\nkube_controller_node_monitor_grace_period: 15s\n"
    )
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "NODE_TIMING_INVENTORY": str(inv),
        "NODE_TIMING_ARGS": "--kube-version 1.33",
        "NODE_TIMING_SARIF": sarif,
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(tmp_path),
    }
    proc = run_step("node-timing lint", env, tmp_path)
    assert proc.returncode == 0, proc.stderr  # the step itself passes: the last step fails
    assert re.search(r"^::error file=[^,]*k8s-cluster\.yml,line=2", proc.stdout, re.M), proc.stdout
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["exit-code"] == "2"
    if sarif == "true":
        report = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
        rules = {r["ruleId"] for run in report["runs"] for r in run["results"]}
        assert "grace-vs-heartbeat" in rules
    else:
        assert "sarif-file" not in outputs
    fail = run_step(
        "Fail on failing findings", {"NODE_TIMING_EXIT": outputs["exit-code"]}, tmp_path
    )
    assert fail.returncode == 2


@pytest.mark.parametrize(("args", "code"), [("--no-such-option", "3"), ("", "5")])
def test_no_sarif_report_without_a_lint(tmp_path: Path, args: str, code: str) -> None:
    """A usage error (3) or no inventory (5) is no report: nothing to upload, no empty SARIF."""
    (tmp_path / "empty").mkdir()
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "NODE_TIMING_INVENTORY": str(tmp_path / "empty"),
        "NODE_TIMING_ARGS": args,
        "NODE_TIMING_SARIF": "true",
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(tmp_path),
    }
    proc = run_step("node-timing lint", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs == {"exit-code": code}
    assert not (tmp_path / "node-timing.sarif").exists()
    assert "no SARIF report to upload" in proc.stdout
    # the upload step's condition is false without the output
    assert "steps.lint.outputs.sarif-file != ''" in STEPS["Upload SARIF"]["if"]


def test_without_an_inventory_the_step_lints_every_inventory_below(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for name, grace in (("prod", "15s"), ("staging", "50s")):
        inv = repo / "inventory" / name
        (inv / "group_vars" / "k8s_cluster").mkdir(parents=True)
        (inv / "inventory.ini").write_text("[kube_control_plane]\ncp1\n[kube_node]\nn1\n")
        (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(
            f"kube_controller_node_monitor_grace_period: {grace}\n"
        )
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "NODE_TIMING_INVENTORY": "",
        "NODE_TIMING_ARGS": "--kube-version 1.33",
        "NODE_TIMING_SARIF": "false",
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(tmp_path),
    }
    script = tmp_path / "step.sh"
    script.write_text(STEPS["node-timing lint"]["run"], encoding="utf-8")
    bindir = Path(sys.executable).parent
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env={**os.environ, **env, "PATH": f"{bindir}:{os.environ.get('PATH', '')}"},
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(
        r"^::error file=inventory/prod/group_vars/k8s_cluster/k8s-cluster\.yml", proc.stdout, re.M
    ), proc.stdout
    assert "inventory/staging" in proc.stderr  # read too, with no failing finding
    assert output.read_text().strip() == "exit-code=2"
