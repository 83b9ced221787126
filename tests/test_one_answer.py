"""One inventory, one answer: lint, explain, render --inventory, simulate --inventory, fix and the
node_timing_check filter evaluate an inventory once, the same way. They must agree on the node
count, the Kubernetes version and the verdict for each value.

The inventories: the examples, a generated 301-host inventory without kube_version in a
kubespray 2.30 checkout (the version is the release's default), one whose third control-plane
host sets its own grace period, and one with an unhealthy-zone-threshold above 1 (a warning)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from lintkit import of

from node_timing.ansible_filters.check import node_timing_check
from node_timing.config import LintConfig
from node_timing.evaluate.options import Options
from node_timing.evaluate.sources import plain
from node_timing.fix import run_fix
from node_timing.inventory import load_inventory
from node_timing.rules.runner import lint_inventory

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "inventory"
K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
GALAXY = "namespace: kubernetes_sigs\nname: kubespray\nversion: 2.30.0\n"
CP = "[kube_control_plane]\ncp1\ncp2\ncp3\n\n[etcd:children]\nkube_control_plane\n\n"


def _checkout_301(root: Path) -> Path:
    """kubespray 2.30's checkout with a 301-host inventory (3 control planes, 298 workers) that
    sets no kube_version: kubespray deploys 1.34.3 there."""
    root.mkdir()
    (root / "galaxy.yml").write_text(GALAXY)
    inv = root / "inventory" / "big"
    (inv / K8S).parent.mkdir(parents=True)
    workers = "".join(f"node{i:03d}\n" for i in range(298))
    (inv / "inventory.ini").write_text(CP + "[kube_node]\n" + workers)
    # the report frequency inherits 10s: report-frequency's figures count the nodes
    (inv / K8S).write_text("kube_controller_node_monitor_grace_period: 50s\n")
    return inv


def _drifting(root: Path) -> Path:
    inv = root / "drift"
    (inv / K8S).parent.mkdir(parents=True)
    (inv / "host_vars").mkdir()
    (inv / "inventory.ini").write_text(CP + "[kube_node]\nn1\nn2\n")
    (inv / K8S).write_text(
        'kube_version: "1.35.4"\nkube_controller_node_monitor_grace_period: 50s\n'
    )
    (inv / "host_vars" / "cp3.yml").write_text("kube_controller_node_monitor_grace_period: 60s\n")
    return inv


def _zone_above_one(root: Path) -> Path:
    inv = root / "zone"
    (inv / K8S).parent.mkdir(parents=True)
    (inv / "inventory.ini").write_text(CP + "[kube_node]\nn1\n")
    (inv / K8S).write_text(
        'kube_version: "1.35.4"\nkube_kubeadm_controller_extra_args:\n'
        '  unhealthy-zone-threshold: "2"\n'
    )
    return inv


def _inventory(name: str, tmp_path: Path) -> Path:
    if name == "301-hosts":
        return _checkout_301(tmp_path / "kubespray")
    if name == "drifting-control-plane":
        return _drifting(tmp_path)
    if name == "zone-threshold-above-one":
        return _zone_above_one(tmp_path)
    return Path(shutil.copytree(EXAMPLES / name, tmp_path / name))


INVENTORIES = [
    *sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()),
    "301-hosts",
    "drifting-control-plane",
    "zone-threshold-above-one",
]
# what render checks: the rules that judge values, not the inventory's layout or its hosts
INVENTORY_ONLY = {"control-plane-drift", "kube-version", "unknown-setting", "misplaced-setting"}
_FINDING = re.compile(r"^node-timing: [^:]+: (error|warning) ([a-z0-9-]+(?:\[[a-z-]+\])?): ")
_NODES = re.compile(r"(\d[\d,]*) nodes? writes?")


def _render_findings(err: str) -> set[tuple[str, str]]:
    found = set()
    for line in err.splitlines():
        m = _FINDING.match(line)
        if m:
            found.add((m.group(2), m.group(1)))
    return found


@pytest.mark.parametrize("name", INVENTORIES)
def test_every_command_gives_one_answer(tmp_path: Path, cli, name: str) -> None:
    inv = _inventory(name, tmp_path)
    ctx, findings = lint_inventory(inv, Options())
    version, nodes = str(ctx.version), ctx.nodes
    verdicts = {(f.rule, f.severity) for f in findings}
    linted = cli("lint", str(inv), "--format", "json")
    assert {(f["rule"], f["severity"]) for f in json.loads(linted.out)} == verdicts

    explained = json.loads(cli("explain", str(inv), "--format", "json").out)
    assert (explained["kube_version"], explained["nodes"]) == (version, nodes)

    simulated = json.loads(cli("simulate", "--inventory", str(inv), "--format", "json").out)
    assert (simulated["kube_version"], simulated["nodes"]) == (version, nodes)

    out = tmp_path / "rendered"
    rendered = cli("render", "--inventory", str(inv), "--out", str(out))
    errors = {rule for rule, severity in verdicts if severity == "error"} - INVENTORY_ONLY
    # render refuses only what lint calls an error
    assert (rendered.code == 0) == (not errors), rendered.err
    from_render = _render_findings(rendered.err)
    assert from_render <= verdicts, from_render - verdicts
    for count in _NODES.findall(rendered.err):  # render's figures count the inventory's nodes
        assert int(count.replace(",", "")) == nodes
    if rendered.code == 0:
        image = (out / "manifests" / "kube-controller-manager.yaml").read_text()
        assert f"kube-controller-manager:v{version}\n" in image

    fixed = run_fix(inv, options=Options(), config=LintConfig())
    assert {(f.rule, f.severity) for f in fixed.remaining} <= verdicts

    # the role's check: every host's variables, the control plane named, as a play hands them
    loaded = load_inventory(inv)
    hosts = {h: {k: plain(v) for k, v in loaded.host_vars(h).items()} for h in loaded.hosts}
    control = list(loaded.group_hosts("kube_control_plane"))
    checked = node_timing_check(hosts, per_host=True, control_plane=control)
    assert {(f["rule"], f["severity"]) for f in checked} - {("kube-version", "error")} <= verdicts


def test_the_301_host_inventory_is_301_nodes_of_kubespray_230(tmp_path: Path, cli) -> None:
    inv = _checkout_301(tmp_path / "kubespray")
    ctx, findings = lint_inventory(inv, Options())
    assert (ctx.nodes, str(ctx.version)) == (301, "1.34.3")
    [report] = of(findings, "report-frequency")
    assert "301 nodes write" in report.message
    rendered = cli("render", "--inventory", str(inv), "--out", str(tmp_path / "out"))
    assert "301 nodes write" in rendered.err


def test_the_drifting_host_is_named_by_explain(tmp_path: Path, cli) -> None:
    inv = _drifting(tmp_path)
    _ctx, findings = lint_inventory(inv, Options())
    [drift] = of(findings, "control-plane-drift")
    assert drift.hosts == ("cp3",)
    explained = json.loads(cli("explain", str(inv), "--format", "json").out)
    for group in explained["groups"]:
        grace = group["settings"]["controller_manager.node_monitor_grace_period"]
        assert grace["value"] == "50s"
        assert grace["per_host"]["shown_for"] == ["cp1", "cp2"]
        assert grace["per_host"]["others"] == [{"hosts": ["cp3"], "value": "1m0s"}]
    text = cli("explain", str(inv)).out
    assert "shown for cp1, cp2: the first control-plane host's kube-controller-manager" in text
    assert "cp3 runs 1m0s" in text


def test_zone_threshold_above_one_is_a_warning_everywhere(tmp_path: Path, cli) -> None:
    inv = _zone_above_one(tmp_path)
    _ctx, findings = lint_inventory(inv, Options())
    assert [f.severity for f in of(findings, "eviction-rate")] == ["warning"]
    rendered = cli("render", "--inventory", str(inv), "--out", str(tmp_path / "out"))
    assert rendered.code == 0
    assert "warning eviction-rate: unhealthy-zone-threshold 2 is above 1" in rendered.err
    assert (
        "--unhealthy-zone-threshold=2"
        in (tmp_path / "out" / "manifests" / "kube-controller-manager.yaml").read_text()
    )
    profile = cli(
        "profile",
        "upstream",
        "--nodes",
        "10",
        "--set",
        "controller_manager.unhealthy_zone_threshold=2",
    )
    assert profile.code == 0
    assert "eviction-rate" in profile.err
