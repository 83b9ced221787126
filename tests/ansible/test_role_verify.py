"""The role's verify (examples/playbooks/verify.yml as shipped) on nodes laid out as kubespray and
kubeadm lay them out (tests/node_layout.py), each under its own node root: nodes that run what the
inventory says pass; a drifted kubelet and a drifted controller-manager manifest fail the play,
which names exactly those two, with host, file:line on the node, running and intended value.

Two ansible-playbook runs in all (module-scoped), four hosts each: a control plane and a worker in
each layout, one kubelet whose --config file is elsewhere (read on a second pass).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from node_layout import (
    collected_kubespray,
    control_plane,
    kubeadm_node,
    kubespray_kubelet_env,
    locate,
    value_at,
    write,
)
from playbook_runner import REPO, Result, run_playbook, write_project

pytestmark = pytest.mark.ansible

EXAMPLE = REPO / "examples" / "playbooks" / "verify.yml"
GROUPS = {
    "kube_control_plane": ["cp1", "cp2"],
    "kube_node": ["cp1", "cp2", "spray1", "adm1"],
    "etcd": ["cp1"],
}
HOSTS = ["adm1", "cp1", "cp2", "spray1"]
# kubespray's defaults, which the inventory leaves as they are
CONTROLLER = {"node-monitor-grace-period": "40s", "node-monitor-period": "5s"}
APISERVER = {
    "default-not-ready-toleration-seconds": "300",
    "default-unreachable-toleration-seconds": "300",
}
# kubeadm writes 0s for what it leaves unset: the inventory's 10s is written by kubespray only
KUBEADM_KUBELET = {"nodeStatusUpdateFrequency": "10s"}
CUSTOM_CONFIG = "/etc/kubelet-custom/config.yaml"
DRIFTED_KUBELET = "/var/lib/kubelet/config.yaml"
DRIFTED_MANIFEST = "/etc/kubernetes/manifests/kube-controller-manager.yaml"


def make_nodes(base: Path, *, drift: bool) -> dict[str, Path]:
    """cp1 and spray1 in kubespray's layout, cp2 and adm1 in kubeadm's; with ``drift``, adm1's
    kubelet reports every minute and cp1's controller-manager waits 50s."""
    collected_kubespray(
        base,
        hosts=("cp1", "spray1"),
        control_plane_hosts=("cp1",),
        controller={"node-monitor-grace-period": "50s"} if drift else None,
    )
    # spray1's kubelet.env names a --config file that is in neither layout's list
    spray1 = base / "spray1"
    moved = (spray1 / "etc/kubernetes/kubelet-config.yaml").read_text(encoding="utf-8")
    (spray1 / "etc/kubernetes/kubelet-config.yaml").unlink()
    write(spray1, CUSTOM_CONFIG, moved)
    write(spray1, "/etc/kubernetes/kubelet.env", kubespray_kubelet_env(config=CUSTOM_CONFIG))
    adm1_fields = {**KUBEADM_KUBELET, **({"nodeStatusReportFrequency": "1m0s"} if drift else {})}
    kubeadm_node(base / "adm1", fields=adm1_fields)
    kubeadm_node(base / "cp2", fields=KUBEADM_KUBELET)
    control_plane(base / "cp2", controller=CONTROLLER, apiserver=APISERVER)
    return {host: base / host for host in HOSTS}


def snapshot(base: Path) -> dict[str, bytes]:
    return {str(p.relative_to(base)): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def run_example(root: Path, *, drift: bool) -> tuple[Result, dict[str, Path]]:
    base = root / "nodes"
    roots = make_nodes(base, drift=drift)
    before = snapshot(base)
    _, inventory = write_project(
        root,
        [],
        groups=GROUPS,
        group_vars={
            "all": {
                "node_timing_node_root": str(base) + "/{{ inventory_hostname }}",
                "ansible_become": False,  # the example becomes root; these nodes are directories
            },
            # kubespray's group: reaches the hosts once the example's first play defines it
            "k8s_cluster": {"kube_version": "1.33.5"},
        },
    )
    playbook = root / "verify.yml"  # the example as shipped, beside the run's record
    playbook.write_bytes(EXAMPLE.read_bytes())
    result = run_playbook(root, playbook, inventory)
    assert snapshot(base) == before, "verify wrote to a node"
    return result, roots


@pytest.fixture(scope="module")
def matching(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, dict[str, Path]]:
    return run_example(tmp_path_factory.mktemp("verify-match"), drift=False)


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, dict[str, Path]]:
    return run_example(tmp_path_factory.mktemp("verify-drift"), drift=True)


def compared(result: Result) -> list[dict[str, Any]]:
    (outcome,) = result.task("Compare what each host runs with what its variables intend").values()
    findings: list[dict[str, Any]] = outcome["ansible_facts"]["__node_timing_verify_findings"]
    return findings


def test_nodes_that_run_what_the_inventory_says_pass(
    matching: tuple[Result, dict[str, Path]],
) -> None:
    result, _ = matching
    assert result.rc == 0, str(result)
    assert "no hosts matched" not in result.stdout
    read = result.task("Read the files that decide the node's timing")
    assert sorted(read) == HOSTS
    # each layout's files were found on each host
    assert "/etc/kubernetes/kubelet.env" in read["cp1"]["files"]
    assert "/var/lib/kubelet/kubeadm-flags.env" in read["adm1"]["files"]
    assert "/etc/kubernetes/manifests/kube-controller-manager.yaml" in read["cp2"]["files"]
    # spray1's --config file is elsewhere: read on the second pass, and only there
    (found,) = result.task("Find the files the kubelet's files name elsewhere").values()
    assert found["ansible_facts"]["__node_timing_verify_more"] == {
        "spray1": {"files": [CUSTOM_CONFIG], "dirs": []}
    }
    more = result.task("Read the files those files name elsewhere")
    assert more["spray1"]["files"].get(CUSTOM_CONFIG), str(result)
    assert all(more[h].get("skipped") for h in HOSTS if h != "spray1")
    findings = compared(result)
    assert not [f for f in findings if f["rule"] == "deployed-drift"], findings
    assert not [f for f in findings if f["severity"] == "error"], findings


def test_drifted_nodes_fail_naming_exactly_the_drifts(
    drifted: tuple[Result, dict[str, Path]],
) -> None:
    result, roots = drifted
    assert result.rc != 0, str(result)
    stopped = result.task("Stop on verification findings at or above node_timing_fail_on")
    (message,) = [r["msg"] for r in stopped.values() if r.get("failed")]

    kubelet_line, kubelet_column = value_at(
        roots["adm1"] / DRIFTED_KUBELET.lstrip("/"), "nodeStatusReportFrequency"
    )
    manifest_line, manifest_column = locate(
        roots["cp1"] / DRIFTED_MANIFEST.lstrip("/"), "--node-monitor-grace-period=50s"
    )
    manifest_column += len("--node-monitor-grace-period=")
    drift = {
        (
            f["hosts"][0],
            f["path"],
            f["line"],
            f["column"],
            f["setting"],
            f["running"],
            f["intended"],
        )
        for f in compared(result)
        if f["rule"] == "deployed-drift"
    }
    assert drift == {
        (
            "adm1",
            DRIFTED_KUBELET,
            kubelet_line,
            kubelet_column,
            "kubelet.node_status_report_frequency",
            "1m0s",
            "10s (inheriting the update frequency)",
        ),
        (
            "cp1",
            DRIFTED_MANIFEST,
            manifest_line,
            manifest_column,
            "controller_manager.node_monitor_grace_period",
            "50s",
            "40s",
        ),
    }
    # the play's failure says it too: host, file:line on the node, running and intended values
    assert f"deployed-drift at {DRIFTED_KUBELET}:{kubelet_line}:{kubelet_column}" in message
    assert "adm1: nodeStatusReportFrequency runs 1m0s" in message
    assert "but the inventory intends 10s" in message
    assert f"deployed-drift at {DRIFTED_MANIFEST}:{manifest_line}:{manifest_column}" in message
    assert "cp1: node-monitor-grace-period runs 50s" in message
    assert "intends 40s" in message
    assert message.count("deployed-drift at") == 2
