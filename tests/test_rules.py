"""One failing inventory per rule (with the line it must point at) and a near miss that passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import lint, of

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
CLEAN = """
kube_version: v1.35.4
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
"""


def relpath(finding, root: Path) -> str:
    return str(Path(finding.path).relative_to(root / "inventory"))


# (rule, failing files, expected severity, expected file, expected line, near-miss files)
CASES = [
    (
        "yaml-load",
        {K8S: "kube_version: v1.35.4\nkubelet_config_extra_args: [unclosed\nother: 1\n"},
        "error",
        K8S,
        3,
        {K8S: CLEAN},
    ),
    (
        "kube-version",
        {
            K8S: "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 5m0s\nkube_version: latest\n"
        },
        "error",
        K8S,
        3,
        {K8S: CLEAN.replace("v1.35.4", '"1.35.4"')},  # kubespray deploys only full versions, no v
    ),
    (
        "duration-format",
        {K8S: CLEAN + "kube_controller_node_monitor_grace_period: 40\n"},
        "error",
        K8S,
        4,
        {K8S: CLEAN + "kube_controller_node_monitor_grace_period: 40s\n"},
    ),
    (
        "duration-format",
        {
            K8S: "kube_version: v1.35.4\nkubelet_config_extra_args:\n  nodeStatusReportFrequency: 1d\n"
        },
        "error",
        K8S,
        3,
        {
            K8S: "kube_version: v1.35.4\nkubelet_config_extra_args:\n  nodeStatusReportFrequency: 24h\n"
        },
    ),
    (
        "seconds-format",
        {K8S: CLEAN + "kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30s\n"},
        "error",
        K8S,
        4,
        {K8S: CLEAN + "kube_apiserver_pod_eviction_unreachable_timeout_seconds: '30'\n"},
    ),
    (
        "seconds-format",
        {K8S: CLEAN + '  nodeLeaseDurationSeconds: "40"\n'},
        "error",
        K8S,
        4,
        {K8S: CLEAN + "  nodeLeaseDurationSeconds: 40\n"},
    ),
    (
        "removed-setting",
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  pod-eviction-timeout: 30s\n"},
        "error",
        K8S,
        5,
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  node-eviction-rate: '0.1'\n"},
    ),
    (
        "duplicate-setting",
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 50s\nkube_kubeadm_controller_extra_args:\n  node-monitor-grace-period: 20s\n"
        },
        "error",
        K8S,
        6,
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 50s\nkube_kubeadm_controller_extra_args:\n  node-startup-grace-period: 2m\n"
        },
    ),
    (
        "value-type",
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args: 'node-monitor-grace-period=20s'\n"},
        "error",
        K8S,
        4,
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  node-monitor-grace-period: 50s\n"},
    ),
    (
        "value-type",
        {K8S: CLEAN + "node_timing_node_count: many\n"},
        "error",
        K8S,
        4,
        {K8S: CLEAN + "node_timing_node_count: 12\n"},
    ),
    (
        "misplaced-setting",
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  nodeLeaseDurationSeconds: 40\n"},
        "error",
        K8S,
        5,
        {K8S: CLEAN + "  nodeLeaseDurationSeconds: 40\n"},
    ),
    (
        "unknown-setting",
        {K8S: CLEAN + "kube_controller_node_monitor_grace_periods: 50s\n"},
        "warning",
        K8S,
        4,
        {K8S: CLEAN + "kube_controller_node_monitor_grace_period: 50s\n"},
    ),
    (
        "grace-vs-heartbeat",
        {K8S: CLEAN + "kube_controller_node_monitor_grace_period: 15s\n"},
        "error",
        K8S,
        4,
        {K8S: CLEAN + "kube_controller_node_monitor_grace_period: 50s\n"},
    ),
    (
        "grace-vs-http2",
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 45s\nkubelet_status_update_frequency: 9s\n"
        },
        "warning",
        K8S,
        4,
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 46s\nkubelet_status_update_frequency: 9s\n"
        },
    ),
    (
        "monitor-period",
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_period: 50s\nkube_controller_node_monitor_grace_period: 50s\n"
        },
        "warning",  # not validated upstream: node-timing's threshold, not an error
        K8S,
        4,
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_period: 25s\nkube_controller_node_monitor_grace_period: 50s\n"
        },
    ),
    (
        "startup-grace",
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 2m\nkube_kubeadm_controller_extra_args:\n  node-startup-grace-period: 1m\n"
        },
        "info",
        K8S,
        6,
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 2m\nkube_kubeadm_controller_extra_args:\n  node-startup-grace-period: 2m\n"
        },
    ),
    (
        "report-frequency",
        {K8S: "kube_version: v1.35.4\nkubelet_status_update_frequency: 10s\n"},
        "warning",
        K8S,
        2,
        {K8S: CLEAN + "kubelet_status_update_frequency: 10s\n"},
    ),
    (
        "heartbeat-load",
        {
            K8S: CLEAN
            + "  nodeLeaseDurationSeconds: 16\nkube_controller_node_monitor_grace_period: 20s\nnode_timing_node_count: 5000\n"
        },
        "warning",
        K8S,
        4,
        {K8S: CLEAN + "  nodeLeaseDurationSeconds: 40\nnode_timing_node_count: 5000\n"},
    ),
    (
        "eviction-rate",
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  node-eviction-rate: '0'\n"},
        "error",
        K8S,
        5,
        {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  node-eviction-rate: '0.05'\n"},
    ),
    (
        "toleration-zero",
        {K8S: CLEAN + "kube_apiserver_pod_eviction_not_ready_timeout_seconds: '0'\n"},
        "warning",
        K8S,
        4,
        {K8S: CLEAN + "kube_apiserver_pod_eviction_not_ready_timeout_seconds: '1'\n"},
    ),
    (
        "control-plane-drift",
        {K8S: CLEAN, "host_vars/cp2.yml": "kube_controller_node_monitor_grace_period: 1m\n"},
        "error",
        "host_vars/cp2.yml",
        1,
        {K8S: CLEAN, "host_vars/node2.yml": "kube_controller_node_monitor_grace_period: 1m\n"},
    ),
    (
        "profile-drift",
        {
            K8S: CLEAN
            + "node_timing_profile: upstream\nkube_controller_node_monitor_grace_period: 40s\n"
        },
        "warning",
        K8S,
        5,
        {
            K8S: CLEAN
            + "node_timing_profile: upstream\nkube_controller_node_monitor_grace_period: 50s\nkubelet_status_update_frequency: 10s\n"
        },
    ),
    (
        "unresolved-value",
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: \"{{ lookup('env', 'GRACE') }}\"\n"
        },
        "info",
        K8S,
        4,
        {K8S: CLEAN + 'grace: 50s\nkube_controller_node_monitor_grace_period: "{{ grace }}"\n'},
    ),
    (
        "heartbeat-deadline",
        {K8S: CLEAN + "  nodeLeaseDurationSeconds: 4\nkubelet_status_update_frequency: 1s\n"},
        "warning",
        K8S,
        5,
        {K8S: CLEAN + "  nodeLeaseDurationSeconds: 16\nkubelet_status_update_frequency: 4s\n"},
    ),
    (
        "slow-status",
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 5m\nkubelet_status_update_frequency: 1m\n"
        },
        "info",
        K8S,
        5,
        {
            K8S: CLEAN
            + "kube_controller_node_monitor_grace_period: 5m\nkubelet_status_update_frequency: 59s\n"
        },
    ),
    (
        "toleration-disabled",
        {
            K8S: CLEAN
            + "kube_apiserver_disable_admission_plugins:\n  - AlwaysPullImages\n  - DefaultTolerationSeconds\n"
        },
        "warning",
        K8S,
        4,
        {K8S: CLEAN + "kube_apiserver_disable_admission_plugins:\n  - AlwaysPullImages\n"},
    ),
    (
        "kubelet-flag",
        {K8S: CLEAN + "kubelet_custom_flags:\n  - --node-status-update-frequency=4s\n"},
        "warning",
        K8S,
        4,
        {K8S: CLEAN + "kubelet_custom_flags:\n  - --v=2\n"},
    ),
]


@pytest.mark.parametrize(
    ("rule", "files", "severity", "path", "line", "near_miss"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_fires_at_the_value_and_not_on_the_near_miss(
    tmp_path: Path, rule, files, severity, path, line, near_miss
) -> None:
    found = of(lint(tmp_path / "fail", files), rule)
    assert found, f"{rule} did not fire"
    assert any(
        f.severity == severity and relpath(f, tmp_path / "fail") == path and f.line == line
        for f in found
    ), [(f.severity, f.path, f.line, f.message) for f in found]
    for f in found:
        assert (f.message and f.hosts) or f.rule in ("yaml-load", "kube-version")
    assert not of(lint(tmp_path / "pass", near_miss), rule)


def test_every_rule_has_a_case() -> None:
    from node_timing import rules

    # deployed-drift needs files collected from nodes: tests/test_deployed_verify.py
    assert {c[0] for c in CASES} == set(rules.ids()) - {"deployed-drift"}


def test_upstream_defaults_written_out_give_nothing(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent / "examples" / "inventory" / "upstream-explicit"
    from node_timing.rules.runner import lint_inventory

    _ctx, findings = lint_inventory(root)
    assert [(f.rule, f.message) for f in findings if f.severity != "info"] == []


def test_grace_message_carries_the_numbers(tmp_path: Path) -> None:
    [f] = of(
        lint(tmp_path, {K8S: CLEAN + "kube_controller_node_monitor_grace_period: 20s\n"}),
        "grace-vs-heartbeat",
    )
    assert f.severity == "warning"
    assert (
        "grace 20s allows 2 heartbeats of 10s; kubespray's reliability guide asks for 5"
        in f.message
    )
    assert "50s" in f.message and "shorten the lease to 16" in f.message
    assert f.hosts == ("cp1", "cp2", "cp3", "node1", "node2", "node3")


def test_per_host_heartbeat_from_host_vars(tmp_path: Path) -> None:
    files = {
        K8S: CLEAN + "kube_controller_node_monitor_grace_period: 50s\n",
        "host_vars/node2.yml": "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 5m0s\n  nodeLeaseDurationSeconds: 120\n",
    }
    found = of(lint(tmp_path, files), "grace-vs-heartbeat")
    assert [(f.hosts, Path(f.path).name, f.line) for f in found] == [(("node2",), "node2.yml", 3)]


def test_removed_flag_is_a_warning_before_1_27(tmp_path: Path) -> None:
    files = {
        K8S: CLEAN.replace("v1.35.4", "v1.26.3")
        + "kube_kubeadm_controller_extra_args:\n  pod-eviction-timeout: 30s\n"
    }
    [f] = of(lint(tmp_path, files), "removed-setting")
    assert f.severity == "warning"


def test_removed_kubespray_variable_names_the_replacements(tmp_path: Path) -> None:
    [f] = of(
        lint(tmp_path, {K8S: CLEAN + "kube_controller_pod_eviction_timeout: 5m\n"}),
        "removed-setting",
    )
    assert f.severity == "warning"
    assert "kube_apiserver_pod_eviction_not_ready_timeout_seconds" in f.message


def test_duplicate_of_a_kubespray_default_is_reported(tmp_path: Path) -> None:
    files = {K8S: CLEAN + "kube_kubeadm_controller_extra_args:\n  node-monitor-period: 5s\n"}
    [f] = of(lint(tmp_path, files), "duplicate-setting")
    assert f.severity == "warning"
    assert "kubespray's default" in f.message


def test_default_values_point_at_the_inventory_file(tmp_path: Path) -> None:
    [f] = of(lint(tmp_path, {K8S: "kube_version: v1.35.4\n"}), "report-frequency")
    assert Path(f.path).name == "inventory.ini"
    assert f.from_default
    assert "not set in the inventory" in f.message


def test_heartbeat_load_uses_the_node_count(tmp_path: Path) -> None:
    files = {
        K8S: CLEAN
        + "  nodeLeaseDurationSeconds: 16\nkube_controller_node_monitor_grace_period: 20s\n"
    }
    assert not of(lint(tmp_path / "a", files), "heartbeat-load")
    [f] = of(lint(tmp_path / "b", files, nodes=5000), "heartbeat-load")
    assert "1250" in f.message
    files[K8S] += "node_timing_node_count: 5000\n"
    assert of(lint(tmp_path / "c", files), "heartbeat-load")


def test_vault_values_are_never_decrypted(tmp_path: Path) -> None:
    vaulted = """\
kube_version: v1.35.4
kube_controller_node_monitor_grace_period: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
  6134333665353966363534333632666535333761666131620a663537646436643839616531643561
"""
    findings = lint(tmp_path, {K8S: vaulted})
    [f] = of(findings, "unresolved-value")
    assert "vault" in f.message.lower()
    assert not of(findings, "grace-vs-heartbeat")


def test_zero_intervals_are_refused(tmp_path: Path) -> None:
    files = {
        K8S: CLEAN
        + "kubelet_status_update_frequency: '0'\nkube_controller_node_monitor_period: 0s\n"
    }
    found = of(lint(tmp_path, files), "duration-format")
    # 0 in the kubelet's file is unset (defaults.go fills in 10s); a 0 controller flag runs as 0
    assert sorted(f.line for f in found) == [5]
    # nothing upstream refuses 0: the message says what it does instead of "will not start"
    assert all("busy loop" in f.message and "not start" not in f.message for f in found)
