"""The kubelet's HTTP/2 environment: zeros as upstream reads them, DISABLE_HTTP2, and values that
only the node_timing role's apply deploys (kubespray has no variable for them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lintkit import lint, of
from node_layout import control_plane, kubespray_kubelet_env, write

from node_timing.cli import main

OFF = "grace-vs-http2[health-check-off]"


def test_read_idle_zero_in_the_role_variables_turns_the_health_check_off(tmp_path: Path) -> None:
    findings = lint(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": """
            kube_controller_node_monitor_grace_period: 50s
            node_timing_http2_read_idle_timeout_seconds: 0
            """
        },
    )
    (off,) = of(findings, OFF)
    assert off.severity == "error"
    assert off.line == 2
    assert "health check off" in off.message and "role's apply" in off.message
    assert of(findings, "grace-vs-http2") == []  # 30 + 15 run without the apply: 50s passes


def test_ping_zero_counts_as_fifteen_seconds(tmp_path: Path) -> None:
    findings = lint(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": """
            kube_controller_node_monitor_grace_period: 40s
            node_timing_http2_read_idle_timeout_seconds: 30
            node_timing_http2_ping_timeout_seconds: 0
            """
        },
    )
    (f,) = of(findings, "grace-vs-http2")
    assert "ping 0 (counts as 15s) = 45s, still not longer" in f.message


def test_role_values_are_intended_not_running(tmp_path: Path) -> None:
    """fast's 10 + 5 reach a kubespray node only through the role's apply: what runs is 30 + 15."""
    findings = lint(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": """
            kube_controller_node_monitor_grace_period: 20s
            node_timing_http2_read_idle_timeout_seconds: 10
            node_timing_http2_ping_timeout_seconds: 5
            """
        },
    )
    (f,) = of(findings, "grace-vs-http2")
    assert "read-idle 30s + ping 15s = 45s without the node_timing role's apply" in f.message
    assert "would deploy read-idle 10s + ping 5s = 15s, which would pass" in f.message


def test_role_values_that_would_break_are_reported_though_the_defaults_pass(
    tmp_path: Path,
) -> None:
    findings = lint(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": """
            kube_controller_node_monitor_grace_period: 50s
            node_timing_http2_read_idle_timeout_seconds: 40
            node_timing_http2_ping_timeout_seconds: 20
            """
        },
    )
    (f,) = of(findings, "grace-vs-http2")
    assert f.line == 2 and "would not be longer" in f.message


def test_disable_http2_in_the_role_variables_is_named(tmp_path: Path) -> None:
    findings = lint(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": """
            kube_controller_node_monitor_grace_period: 20s
            node_timing_kubelet_disable_http2: true
            """
        },
    )
    (f,) = of(findings, "grace-vs-http2")
    assert "would deploy DISABLE_HTTP2" in f.message and "which would pass" in f.message


def _lint_files(capsys: pytest.CaptureFixture[str], *paths: Path) -> list[dict[str, object]]:
    main(["lint", "--format", "json", *map(str, paths)])
    result: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return result


@pytest.mark.parametrize(
    ("environment", "grace", "rules"),
    [
        ("HTTP2_READ_IDLE_TIMEOUT_SECONDS=0\n", "50s", [OFF]),
        (
            "HTTP2_READ_IDLE_TIMEOUT_SECONDS=30\nHTTP2_PING_TIMEOUT_SECONDS=0\n",
            "40s",
            ["grace-vs-http2"],
        ),
        ("HTTP2_READ_IDLE_TIMEOUT_SECONDS=0\nDISABLE_HTTP2=1\n", "50s", []),
        ("DISABLE_HTTP2=true\n", "20s", []),
        ("", "20s", ["grace-vs-http2"]),
    ],
)
def test_a_nodes_environment_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    environment: str,
    grace: str,
    rules: list[str],
) -> None:
    env = write(tmp_path, "/kubelet.env", kubespray_kubelet_env() + environment)
    cp = control_plane(tmp_path / "cp", controller={"node-monitor-grace-period": grace})
    manifest = cp / "etc/kubernetes/manifests/kube-controller-manager.yaml"
    findings = _lint_files(capsys, env, manifest)
    found = [f for f in findings if str(f["rule"]).startswith("grace-vs-http2")]
    assert [f["rule"] for f in found] == rules
    for f in found:
        assert "role's apply" not in str(f["message"])  # a node's file runs


def test_explain_shows_role_values_as_intended_and_the_defaults_as_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lintkit import make_inventory

    inv = make_inventory(
        tmp_path,
        {
            "group_vars/k8s_cluster/k8s-cluster.yml": """
            node_timing_http2_read_idle_timeout_seconds: 10
            """
        },
    )
    assert main(["explain", str(inv), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    shown = data["groups"][0]["settings"]["kubelet.http2_read_idle_timeout_seconds"]
    assert shown["value"] == 30 and shown["from"] == "Kubernetes default"
    assert shown["intended"] == 10 and shown["intended_from"].endswith("k8s-cluster.yml:1:46")
    assert main(["explain", str(inv)]) == 0
    text = capsys.readouterr().out
    assert "deployed only by the node_timing role's apply" in text


def test_profile_fast_says_its_http2_values_need_the_role(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["profile", "fast", "--nodes", "100", "--format", "json"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["role_apply_only"] == {
        "kubelet.http2_read_idle_timeout_seconds": 10,
        "kubelet.http2_ping_timeout_seconds": 5,
    }
    # and its own check judges what runs without the apply: 30 + 15 against grace 20s
    assert "without the node_timing role's apply" in captured.err
    main(["profile", "upstream", "--nodes", "100", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["role_apply_only"] == {}


def test_verify_names_the_role_apply_for_drift_in_the_kubelet_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from node_layout import collected_kubespray, kubespray_inventory

    inventory = kubespray_inventory(
        tmp_path / "inventory",
        "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 1m0s\n"
        "node_timing_http2_read_idle_timeout_seconds: 10\n",
    )
    report = {"nodeStatusReportFrequency": "5m0s"}
    collected = collected_kubespray(
        tmp_path / "collected", kubelet={"node1": report, "node2": report}
    )
    main(["verify", str(inventory), "--collected", str(collected), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)
    drifted = {
        str(f["message"]).split(" runs ")[0]: str(f["message"])
        for f in findings
        if f["rule"] == "deployed-drift"
    }
    env = drifted["node1: HTTP2_READ_IDLE_TIMEOUT_SECONDS"]
    assert "runs 30" in env and "redeploy it (the node_timing role's apply" in env
    assert "no playbook deploys it" in env
    config = drifted["node1: nodeStatusReportFrequency"]
    assert "kubespray's cluster.yml" in config and "no playbook deploys it" not in config
