"""Render from an inventory, merge the kubespray vars back, lint: no error-level finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from lintkit import make_inventory

from node_timing.evaluate.options import Options
from node_timing.rules.runner import lint_inventory

ROOT = Path(__file__).resolve().parent.parent

BROKEN = """
kube_version: v1.35.4
kube_controller_node_monitor_grace_period: 40s
kube_kubeadm_controller_extra_args:
  node-monitor-grace-period: 50s      # duplicate, different value
  pod-eviction-timeout: 5m0s          # removed in 1.27
  terminated-pod-gc-threshold: "500"  # unrelated, must survive
kubelet_config_extra_args:
  maxPods: 200
  nodeStatusUpdateFrequency: 10s      # duplicate of kubelet_status_update_frequency's default
"""


def _render_and_merge(cli, inv: Path, out: Path) -> dict:
    r = cli("render", "--inventory", str(inv), "--out", str(out))
    assert r.code == 0, r.err
    rendered = out / "kubespray" / "node-timing.yml"
    target = inv / "group_vars" / "k8s_cluster" / "node-timing.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(rendered, target)
    return yaml.safe_load(rendered.read_text())


def test_render_from_inventory_then_lint_has_no_error(cli, tmp_path: Path) -> None:
    inv = make_inventory(tmp_path, {"group_vars/k8s_cluster/k8s-cluster.yml": BROKEN})
    _ctx, before = lint_inventory(inv, Options())
    assert {f.rule for f in before if f.severity == "error"} >= {
        "duplicate-setting",
        "removed-setting",
    }
    merged = _render_and_merge(cli, inv, tmp_path / "out")
    # the user's other extra args survive; the duplicate keys move to the first-class variables
    assert merged["kube_kubeadm_controller_extra_args"]["terminated-pod-gc-threshold"] == "500"
    assert "pod-eviction-timeout" not in merged["kube_kubeadm_controller_extra_args"]
    assert "node-monitor-grace-period" not in merged["kube_kubeadm_controller_extra_args"]
    assert merged["kube_controller_node_monitor_grace_period"] == "50s"
    assert merged["kubelet_config_extra_args"]["maxPods"] == 200
    _ctx, after = lint_inventory(inv, Options())
    assert [f for f in after if f.severity == "error"] == []


def test_render_from_the_bundled_example(cli, tmp_path: Path) -> None:
    inv = tmp_path / "mycluster"
    shutil.copytree(ROOT / "examples" / "inventory" / "mycluster", inv)
    _render_and_merge(cli, inv, tmp_path / "out")
    _ctx, after = lint_inventory(inv, Options())
    assert [f for f in after if f.severity == "error"] == []
    assert not [f for f in after if f.rule == "duplicate-setting"]


def test_render_refuses_invalid_values(cli, tmp_path: Path) -> None:
    inv = make_inventory(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": "kube_controller_node_monitor_grace_period: 40\n"
        },
    )
    r = cli("render", "--inventory", str(inv), "--out", str(tmp_path / "out"))
    assert r.code == 2
    assert "k8s-cluster.yml:1" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "out").exists()


def test_render_from_missing_inventory_is_exit_5(cli, tmp_path: Path) -> None:
    r = cli("render", "--inventory", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert r.code == 5
    assert len(r.err.strip().splitlines()) == 1
