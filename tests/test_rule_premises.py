"""Rule premises as upstream runs them: what a finding claims must be what the component does."""

from __future__ import annotations

from pathlib import Path

from lintkit import lint, of

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
CP = "kube_kubeadm_controller_extra_args"

# kubespray's reliability guide, "Medium Update and Average Reaction"
# (kubernetes-sigs/kubespray/docs/advanced/kubernetes-reliability.md)
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


def test_a_negative_toleration_is_valid_and_evicts_as_zero(tmp_path: Path) -> None:
    files = {K8S: 'kube_apiserver_pod_eviction_not_ready_timeout_seconds: "-1"\n'}
    findings = lint(tmp_path, files)
    assert not of(findings, "seconds-format")  # an int64: no format error
    [f] = of(findings, "toleration-zero")
    assert "is -1: a negative toleration evicts as 0 does" in f.message
    assert "every missed heartbeat" not in f.message
    assert "use at least" not in f.message and "node-timing's fast profile uses 30" in f.message
    assert f.hosts == ("cp1", "cp2", "cp3")


def test_zone_thresholds_outside_zero_to_one_are_a_policy_not_invalid(tmp_path: Path) -> None:
    for n, value in enumerate(("0", "-0.5", "2")):
        files = {K8S: f'{CP}:\n  unhealthy-zone-threshold: "{value}"\n'}
        [f] = of(lint(tmp_path / str(n), files), "eviction-rate")
        assert f.severity == "warning", value
        assert "a policy, not a validity rule" in f.message
        assert "≤ 50 nodes" in f.message
    assert "removes the brake that stops evictions" in f.message


def test_removing_the_flags_with_the_taint_manager_off_says_when_pods_go(tmp_path: Path) -> None:
    files = {
        K8S: "kube_version: v1.26.3\n"
        f"{CP}:\n  enable-taint-manager: 'false'\n  pod-eviction-timeout: 2m\n"
        'kube_apiserver_pod_eviction_unreachable_timeout_seconds: "60"\n'
    }
    found = of(lint(tmp_path, files), "removed-setting")
    assert len(found) == 2
    for f in found:
        assert f.severity == "warning" and not f.fixable
        assert "removing it changes when pods go" in f.message
        assert "kube_apiserver_pod_eviction_unreachable_timeout_seconds 60s" in f.message
        assert "instead of --pod-eviction-timeout (now 2m)" in f.message


def test_controller_flag_findings_name_the_control_plane_only(tmp_path: Path) -> None:
    files = {
        K8S: f"{CP}:\n  pod-eviction-timeout: 2m\n  node-monitor-grace-period: 40\n"
        "  node-monitor-grace-periode: 40s\n"
    }
    findings = lint(tmp_path, files)
    for rule in ("removed-setting", "duration-format", "unknown-setting"):
        [f] = of(findings, rule)
        assert f.hosts == ("cp1", "cp2", "cp3"), rule


def test_the_heartbeat_deadline_is_the_shorter_of_update_and_lease(tmp_path: Path) -> None:
    # the case: every other check passes (5 heartbeats per grace period)
    files = {
        K8S: "kubelet_status_update_frequency: 1s\n"
        "kube_controller_node_monitor_grace_period: 5s\n"
        'kube_apiserver_pod_eviction_not_ready_timeout_seconds: "5"\n'
        'kube_apiserver_pod_eviction_unreachable_timeout_seconds: "5"\n'
        "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 5m0s\n"
        "  nodeLeaseDurationSeconds: 4\n"
    }
    findings = lint(tmp_path, files)
    [f] = of(findings, "heartbeat-deadline")
    assert "has 1s to complete" in f.message and f.line == 1
    assert not of(findings, "grace-vs-heartbeat")


def test_disabled_default_tolerations_are_found_in_the_variable_and_the_flag(
    tmp_path: Path,
) -> None:
    assert of(
        lint(
            tmp_path / "a",
            {K8S: "kube_apiserver_disable_admission_plugins: [DefaultTolerationSeconds]\n"},
        ),
        "toleration-disabled",
    )
    [f] = of(
        lint(
            tmp_path / "b",
            {
                K8S: "kube_kubeadm_apiserver_extra_args:\n  disable-admission-plugins: A,DefaultTolerationSeconds\n"
            },
        ),
        "toleration-disabled",
    )
    assert f.hosts == ("cp1", "cp2", "cp3")


def test_report_frequency_sees_through_the_kubelet_flag(tmp_path: Path) -> None:
    files = {K8S: "kubelet_custom_flags: ['--node-status-update-frequency=4s']\n"}
    findings = lint(tmp_path, files)
    [flag] = of(findings, "kubelet-flag")
    assert "Set kubelet_status_update_frequency: 4s" in flag.message
    [report] = of(findings, "report-frequency")
    assert "inherits the nodeStatusUpdateFrequency of the kubelet's configuration file (10s)" in (
        report.message
    )
