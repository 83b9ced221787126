"""Rule premises as upstream runs them: what a finding claims must be what the component does."""

from __future__ import annotations

from pathlib import Path

from lintkit import lint, of

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
CP = "kube_kubeadm_controller_extra_args"

# kubespray's reliability guide, "Medium Update and Average Reaction"
# (kubernetes-sigs/kubespray docs/advanced/kubernetes-reliability.md)
GUIDE_MEDIUM = """\
kube_version: v1.35.4
kubelet_status_update_frequency: 20s
kube_controller_node_monitor_period: 5s
kube_controller_node_monitor_grace_period: 2m
kube_apiserver_pod_eviction_not_ready_timeout_seconds: "60"
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "60"
"""


def test_the_guides_medium_settings_get_no_warning_from_startup_grace(tmp_path: Path) -> None:
    found = of(lint(tmp_path, {K8S: GUIDE_MEDIUM}), "startup-grace")
    # the startup grace (1m) is below the grace (2m) but only a Node without a Ready condition
    # uses it: information, not a warning
    assert [f.severity for f in found] == ["info"]
    assert "no Ready condition" in found[0].message


def test_zero_intervals_say_what_runs_not_that_nothing_starts(tmp_path: Path) -> None:
    files = {
        K8S: f"{CP}:\n  node-monitor-grace-period: 0s\n  node-monitor-period: 0s\n"
        "kubelet_custom_flags: ['--node-status-update-frequency=0s']\n"
    }
    found = of(lint(tmp_path, files), "duration-format")
    messages = " | ".join(f.message for f in found)
    assert "marks every node Unknown" in messages
    assert messages.count("busy loop") >= 1
    assert "will not start" not in messages
