"""Inventories written before kubespray 2.16: dashed group names, read as ansible-core reads
them, with kubespray's mapping of the old groups to the new ones."""

from __future__ import annotations

from pathlib import Path

from node_timing.inventory import load_inventory

LEGACY = """\
[all]
node1 ansible_host=10.0.0.1
node2 ansible_host=10.0.0.2
node3 ansible_host=10.0.0.3

[k8s-cluster:children]
kube-master
kube-node

[kube-master]
node1

[etcd]
node1

[kube-node]
node2
node3
"""


def _legacy(tmp_path: Path) -> Path:
    inv = tmp_path / "inventory" / "old"
    (inv / "group_vars" / "k8s-cluster").mkdir(parents=True)
    (inv / "inventory.ini").write_text(LEGACY)
    (inv / "group_vars" / "k8s-cluster" / "k8s-cluster.yml").write_text(
        "kube_controller_node_monitor_grace_period: 15s\n"
    )
    (inv / "group_vars" / "kube_node.yml").write_text("kubelet_status_update_frequency: 4s\n")
    return inv


def test_old_groups_are_kubesprays_new_groups(tmp_path: Path) -> None:
    inv = load_inventory(_legacy(tmp_path))
    assert not [p for p in inv.problems if p.severity == "error"]
    assert set(inv.group_hosts("kube-master")) == set(inv.group_hosts("kube_control_plane"))
    assert set(inv.group_hosts("kube_control_plane")) == {"node1"}
    assert set(inv.group_hosts("kube_node")) == {"node2", "node3"}
    assert set(inv.group_hosts("k8s_cluster")) == {"node1", "node2", "node3"}
    # group_vars of either name apply, as they do to a group kubespray's group_by fills
    assert inv.host_vars("node2")["kubelet_status_update_frequency"].value == "4s"
    assert inv.host_vars("node1")["kube_controller_node_monitor_grace_period"].value == "15s"


def test_lint_reads_a_pre_2_16_inventory(cli, tmp_path: Path) -> None:
    r = cli("lint", str(_legacy(tmp_path)), "-f", "json")
    assert r.code == 2, r.err
    grace = [f for f in r.json() if f["rule"] == "grace-vs-heartbeat"]
    assert {f["path"].split("old/")[-1] for f in grace} == {
        "group_vars/k8s-cluster/k8s-cluster.yml"
    }
    assert {h for f in grace for h in f["hosts"]} == {"node1", "node2", "node3"}
