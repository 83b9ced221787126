"""``node-timing verify INVENTORY --collected DIR`` and ``explain --collected``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from node_layout import (
    collected_kubespray,
    kubeadm_node,
    kubespray_inventory,
    value_at,
)

from node_timing.cli import main

REPORT_5M = "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 5m0s\n"
CLEAN = {
    "node1": {"nodeStatusReportFrequency": "5m0s"},
    "node2": {"nodeStatusReportFrequency": "5m0s"},
}


def verify_json(
    capsys: pytest.CaptureFixture[str], inventory: Path, collected: Path
) -> tuple[int, list[dict[str, object]]]:
    code = main(["verify", str(inventory), "--collected", str(collected), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def drift(findings: list[dict[str, object]]) -> list[tuple[tuple[str, ...], str, int, int]]:
    return sorted(
        (
            tuple(f["hosts"]),  # type: ignore[arg-type]
            os.path.abspath(str(f["path"])),
            int(f["line"]),  # type: ignore[call-overload]
            int(f["column"]),  # type: ignore[call-overload]
        )
        for f in findings
        if f["rule"] == "deployed-drift"
    )


def test_clean_collection_has_no_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inventory = kubespray_inventory(tmp_path / "inventory", REPORT_5M)
    collected = collected_kubespray(tmp_path / "collected", kubelet=CLEAN)
    code, findings = verify_json(capsys, inventory, collected)
    assert drift(findings) == []
    assert code == 0
    assert not [f for f in findings if f["severity"] == "error"]


def test_one_drifted_kubelet_and_one_drifted_controller_manager(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = kubespray_inventory(tmp_path / "inventory", REPORT_5M)
    collected = collected_kubespray(
        tmp_path / "collected",
        kubelet={**CLEAN, "node2": {"nodeStatusReportFrequency": "1m0s"}},
        controller={"node-monitor-grace-period": "20s"},
    )
    code, findings = verify_json(capsys, inventory, collected)
    assert code == 2
    kubelet = collected / "node2/etc/kubernetes/kubelet-config.yaml"
    manifest = collected / "node1/etc/kubernetes/manifests/kube-controller-manager.yaml"
    assert drift(findings) == [
        (("node1",), str(manifest), *value_at(manifest, "--node-monitor-grace-period")),
        (("node2",), str(kubelet), *value_at(kubelet, "nodeStatusReportFrequency")),
    ]
    messages = sorted(str(f["message"]) for f in findings if f["rule"] == "deployed-drift")
    assert messages[0].startswith("node1: node-monitor-grace-period runs 20s (")
    assert "but the inventory intends 40s (kubespray's default)" in messages[0]
    assert messages[1].startswith("node2: nodeStatusReportFrequency runs 1m0s (")
    assert "the inventory intends 5m0s (" in messages[1]
    assert "k8s-cluster.yml:4:3" in messages[1]
    # each remedy names the playbook that really redeploys it: cluster.yml never regenerates
    # an existing control plane's static Pods
    control_plane = "redeploy it (kubespray's upgrade-cluster.yml, or the node_timing role's apply"
    assert control_plane in messages[0]
    assert "cluster.yml or" not in messages[0] and "'s cluster.yml" not in messages[0]
    assert "redeploy it (kubespray's cluster.yml, or the node_timing role's apply" in messages[1]
    # the usual rules run on what runs: 20s grace against 10s heartbeats
    assert any(f["rule"] == "grace-vs-heartbeat" for f in findings)


def test_missing_host_and_missing_manifest_are_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = kubespray_inventory(tmp_path / "inventory", REPORT_5M)
    collected = collected_kubespray(tmp_path / "collected", kubelet=CLEAN, hosts=("node1",))
    (collected / "node1/etc/kubernetes/manifests/kube-apiserver.yaml").unlink()
    code, findings = verify_json(capsys, inventory, collected)
    assert code == 0
    problems = sorted(
        str(f["message"])
        for f in findings
        if f["rule"] == "yaml-load" and f["severity"] == "warning"
    )
    assert problems == [
        "node1: kube-apiserver manifest not collected",
        "node2: no files collected (no directory node2/)",
    ]


def test_kubeadm_layout_drift_in_etc_default_kubelet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = kubespray_inventory(
        tmp_path / "inventory", "kubelet_status_update_frequency: 10s\n"
    )
    collected = tmp_path / "collected"
    collected_kubespray(collected, hosts=("node1",))
    root = kubeadm_node(
        collected / "node2",
        fields={"nodeStatusUpdateFrequency": "10s"},
        extra_args="--node-status-update-frequency=20s",
    )
    _code, findings = verify_json(capsys, inventory, collected)
    extra = root / "etc/default/kubelet"
    assert ((("node2",), str(extra), *value_at(extra, "--node-status-update-frequency"))) in drift(
        findings
    )


def test_host_directory_linked_out_of_the_collection_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = kubespray_inventory(tmp_path / "inventory", REPORT_5M)
    collected = collected_kubespray(tmp_path / "collected", kubelet=CLEAN, hosts=("node1",))
    outside = tmp_path / "elsewhere"
    collected_kubespray(
        outside, kubelet={"node2": {"nodeStatusReportFrequency": "1m0s"}}, hosts=("node2",)
    )
    os.symlink(outside / "node2", collected / "node2")
    _code, findings = verify_json(capsys, inventory, collected)
    assert drift(findings) == []
    assert any("symlink out of the collected directory" in str(f["message"]) for f in findings)


def test_collected_is_not_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inventory = kubespray_inventory(tmp_path / "inventory")
    missing = tmp_path / "nope"
    assert main(["verify", str(inventory), "--collected", str(missing)]) == 3
    assert capsys.readouterr().err.count("\n") == 1


def test_explain_collected_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = kubespray_inventory(tmp_path / "inventory", REPORT_5M)
    collected = collected_kubespray(
        tmp_path / "collected", kubelet=CLEAN, controller={"node-monitor-grace-period": "20s"}
    )
    assert main(["explain", str(inventory), "--collected", str(collected)]) == 0
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if "node_monitor_grace_period" in ln)
    assert "intended 40s" in line and "!= running 20s" in line
    assert main(["explain", str(inventory), "--collected", str(collected), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    node1 = next(h for h in data["hosts"] if h["host"] == "node1")
    grace = node1["settings"]["controller_manager.node_monitor_grace_period"]
    assert (grace["intended"], grace["running"], grace["drift"]) == ("40s", "20s", True)
    report = node1["settings"]["kubelet.node_status_report_frequency"]
    assert (report["intended"], report["running"], report["drift"]) == ("5m0s", "5m0s", False)
    node2 = next(h for h in data["hosts"] if h["host"] == "node2")
    assert "controller_manager.node_monitor_grace_period" not in node2["settings"]


@pytest.mark.parametrize(
    ("path", "playbooks"),
    [
        ("kubelet.node_status_update_frequency", ["cluster.yml"]),
        ("kubelet.node_lease_duration_seconds", ["cluster.yml"]),
        ("controller_manager.node_monitor_grace_period", ["upgrade-cluster.yml"]),
        ("apiserver.default_unreachable_toleration_seconds", ["upgrade-cluster.yml"]),
        ("kubelet.http2_read_idle_timeout_seconds", []),
        ("kubelet.http2_ping_timeout_seconds", []),
    ],
)
def test_the_remedy_names_the_playbook_that_deploys_each_setting(
    path: str, playbooks: list[str]
) -> None:
    from node_timing import kubespray

    remedy = kubespray.redeploy_remedy(path)
    assert "the node_timing role's apply" in remedy
    for name in ("cluster.yml", "upgrade-cluster.yml"):
        assert (f"kubespray's {name}" in remedy) == (name in playbooks), remedy
