"""The role's verification (the ``node_timing_verify`` and ``node_timing_verify_paths`` filters)
is ``node-timing verify`` on files held in memory: the same findings as the command on the same
files, the same list of files, and nothing read from or written to the disk."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from node_layout import (
    KUBEADM_DROP_IN,
    collected_kubespray,
    control_plane,
    kubeadm_node,
    kubespray_inventory,
    kubespray_kubelet_env,
    write,
)

from node_timing.ansible_filters.check import node_timing_verify
from node_timing.ansible_filters.convert import FilterError
from node_timing.ansible_filters.node import node_timing_verify_paths
from node_timing.deployed import held
from node_timing.deployed._evaluation import Options
from node_timing.deployed.verify import verify_path
from node_timing.rules.runner import run_rules

GROUP_VARS = "kubelet_status_update_frequency: 20s\nkube_controller_node_monitor_period: 4s\n"
HOST_VARS = {
    "kube_version": "1.33.5",
    "kubelet_status_update_frequency": "20s",
    "kube_controller_node_monitor_period": "4s",
}


def texts(root: Path) -> dict[str, str]:
    """``{node path: text}`` of every file under the node root ``root``."""
    return {
        "/" + str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in root.rglob("*")
        if p.is_file()
    }


def cluster(tmp_path: Path) -> tuple[Path, Path]:
    """node1: kubespray control plane whose kubelet drifts; node2: a kubeadm node."""
    inventory = kubespray_inventory(tmp_path / "inventory", GROUP_VARS)
    collected = collected_kubespray(
        tmp_path / "collected",
        hosts=("node1",),
        kubelet={"node1": {"nodeStatusReportFrequency": "1m0s"}},
        controller={"node-monitor-period": "4s"},
    )
    kubeadm_node(collected / "node2", fields={"nodeStatusUpdateFrequency": "30s"})
    return inventory, collected


def per_host(findings: list[dict[str, Any]], node_path: Any) -> set[tuple[Any, ...]]:
    """Each finding once per host, its path as the node's (``node_path(path, host)``)."""
    return {
        (
            f["rule"],
            f["severity"],
            node_path(f["path"], h),
            f["line"],
            f["column"],
            f.get("setting"),
            h,
        )
        for f in findings
        for h in f["hosts"]
    }


def test_the_filter_finds_what_the_command_finds_on_the_same_files(tmp_path: Path) -> None:
    inventory, collected = cluster(tmp_path)
    command = [
        f.to_dict() for f in run_rules(verify_path(inventory, str(collected), Options()).context)
    ]
    filtered = node_timing_verify(
        {host: texts(collected / host) for host in ("node1", "node2")},
        {"node1": HOST_VARS, "node2": HOST_VARS},
        control_plane=["node1"],
    )

    def collected_path(path: str, host: str) -> str:
        """collected/<a host>/etc/... as /etc/... (a cluster's finding names one host's file)"""
        relative = os.path.relpath(os.path.abspath(path), collected)
        return "/" + relative.split(os.sep, 1)[1]

    assert per_host(command, collected_path) == per_host(filtered, lambda p, h: p)
    drift = {(f["hosts"][0], f["setting"]) for f in filtered if f["rule"] == "deployed-drift"}
    # node1 runs kubespray's 10s and reports every minute, its controller-manager as intended;
    # node2 runs 30s and its report frequency inherits that, as the inventory's inherits 20s
    assert drift == {
        ("node1", "kubelet.node_status_update_frequency"),
        ("node1", "kubelet.node_status_report_frequency"),
        ("node2", "kubelet.node_status_update_frequency"),
    }
    (grace,) = [
        f
        for f in filtered
        if f["rule"] == "deployed-drift" and f["hosts"] == ["node2"] and "update" in f["setting"]
    ]
    assert grace["path"] == "/var/lib/kubelet/config.yaml"
    assert (grace["running"], grace["intended"]) == ("30s", "20s")
    assert (
        "node2: nodeStatusUpdateFrequency runs 30s (/var/lib/kubelet/config.yaml:"
        in grace["message"]
    )


def test_the_role_reads_every_file_the_command_reads(tmp_path: Path) -> None:
    """In both layouts, each file verify read is in the list the role reads on the node."""
    inventory, collected = cluster(tmp_path)
    control_plane(collected / "node2")  # kubeadm's static Pods, read on a control-plane host
    paths = node_timing_verify_paths({})
    result = verify_path(inventory, str(collected), Options())
    read = {
        (c.host, "/" + os.path.relpath(f, collected / c.host))
        for c in result.hosts
        for f in c.files
    }
    assert {p for _, p in read} >= {
        "/etc/systemd/system/kubelet.service",
        "/etc/kubernetes/kubelet.env",
        "/var/lib/kubelet/kubeadm-flags.env",
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
    }
    for host, path in read:
        assert path in paths["files"] or os.path.dirname(path) in paths["dirs"], (host, path)


def test_a_config_file_elsewhere_is_read_on_a_second_pass(tmp_path: Path) -> None:
    node = tmp_path / "node"
    write(node, "/etc/kubernetes/kubelet.env", kubespray_kubelet_env(config="/opt/kubelet.yaml"))
    assert node_timing_verify_paths(texts(node)) == {"files": ["/opt/kubelet.yaml"], "dirs": []}
    # a --config-dir: its drop-ins
    dropin = KUBEADM_DROP_IN.replace(
        "--config=/var/lib/kubelet/config.yaml",
        "--config=/var/lib/kubelet/config.yaml --config-dir=/etc/kubernetes/kubelet.conf.d",
    )
    adm = kubeadm_node(tmp_path / "adm")
    write(adm, "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", dropin)
    assert node_timing_verify_paths(texts(adm)) == {
        "files": [],
        "dirs": ["/etc/kubernetes/kubelet.conf.d"],
    }
    # the stock layouts name nothing beyond the list
    assert node_timing_verify_paths(texts(kubeadm_node(tmp_path / "stock"))) == {
        "files": [],
        "dirs": [],
    }


def test_missing_files_are_warnings_naming_the_host() -> None:
    only_env = {"/etc/kubernetes/kubelet.env": kubespray_kubelet_env()}
    findings = node_timing_verify(
        {"node1": only_env},
        {"node1": HOST_VARS, "node2": HOST_VARS},
        control_plane=["node1"],
    )
    messages = {f["message"]: f["severity"] for f in findings if f["rule"] != "deployed-drift"}
    assert messages.get("node2: no files read from the node, not verified") == "warning"
    assert messages.get("node1: kube-apiserver manifest not collected") == "warning"
    assert any(
        "not found: the kubelet's --config file" in m and s == "error" for m, s in messages.items()
    ), messages


def test_a_worker_only_play_expects_no_static_pods(tmp_path: Path) -> None:
    node = kubeadm_node(tmp_path / "w", fields={"nodeStatusUpdateFrequency": "20s"})
    findings = node_timing_verify(
        {"w": texts(node)}, {"w": HOST_VARS}, control_plane=["somewhere-else"]
    )
    assert not [f for f in findings if "manifest" in f["message"]], findings


def test_a_file_over_the_size_limit_is_a_problem_not_a_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(held, "MAX_FILE_SIZE", 64)
    files = held.HeldFiles("/", texts={"/etc/kubernetes/kubelet.env": "KUBELET_ARGS=" + "x" * 100})
    assert files.text("/etc/kubernetes/kubelet.env") is None
    assert files.problems[0].message == "not checked: more than 64 bytes"
    assert files.read_files == []


@pytest.mark.parametrize(
    ("files", "hosts", "says"),
    [
        ("text", {"h": {}}, "expects {host: {node path: text}}"),
        ({"h": ["x"]}, {"h": {}}, "expects {host: {node path: text}}"),
        ({"h": {}}, {}, "needs hosts="),
        ({"h": {}}, {"h": 3}, "node_timing_verify expects host names mapped to their variables"),
    ],
)
def test_wrong_input_is_one_line(files: Any, hosts: Any, says: str) -> None:
    with pytest.raises(FilterError) as raised:
        node_timing_verify(files, hosts)
    assert says in str(raised.value)
    assert "\n" not in str(raised.value)


def test_verify_paths_wrong_input_is_one_line() -> None:
    with pytest.raises(FilterError) as raised:
        node_timing_verify_paths(["/etc"])
    assert "expects {node path: text}" in str(raised.value)


@pytest.mark.parametrize("layout", ["kubespray", "kubeadm"])
def test_the_apply_verification_reads_held_files_as_the_node_reader_reads_a_root(
    tmp_path: Path, layout: str
) -> None:
    """node_timing_kubelet_verify (the role's check after apply) answers from the texts in memory
    what the reader answers from the node root they came from, and writes nothing."""
    from node_layout import kubespray_node

    from node_timing.ansible_filters import node_timing_profile
    from node_timing.ansible_filters.node import node_timing_kubelet_verify
    from node_timing.deployed.kubelet import read_kubelet
    from node_timing.knowledge import KubeVersion

    root = tmp_path / "node"
    if layout == "kubespray":
        kubespray_node(root, custom_flags="--node-status-update-frequency=7s")
    else:
        kubeadm_node(root)
    on_disk = read_kubelet(str(root), KubeVersion.parse("1.35"))
    before = sorted(os.listdir(tmp_path))
    fast = node_timing_profile("fast", nodes=3, kube_version="1.35")
    result = node_timing_kubelet_verify(texts(root), fast, "1.35")
    assert sorted(os.listdir(tmp_path)) == before
    assert result["layout"] == on_disk.layout
    assert result["config"] == str(on_disk.config).replace(str(root), "", 1)
    assert result["mismatches"]  # the node runs kubespray's or kubeadm's values, not fast's
    got = {m["setting"]: m["got"] for m in result["mismatches"]}
    if layout == "kubespray":
        assert got["kubelet.node_status_update_frequency"] == "7s"  # the flag over the file
        (flagged,) = [m for m in result["mismatches"] if m["setting"].endswith("update_frequency")]
        assert "/etc/kubernetes/kubelet.env" in flagged["from"]
