"""A Kubernetes version outside the facts is said to be so, and never judged with another
version's facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import make_inventory

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"


@pytest.mark.parametrize(("version", "side"), [("v1.12.3", "older"), ("1.99.0", "newer")])
def test_only_the_checks_that_need_no_version_run(
    cli, tmp_path: Path, version: str, side: str
) -> None:
    inv = make_inventory(
        tmp_path,
        {
            K8S: f"kube_version: {version}\n"
            "kube_controller_node_monitor_grace_period: 15s\n"
            "kubelet_status_update_frequency: 10\n"
        },
    )
    r = cli("lint", str(inv), "-f", "json", "--kubespray-version", "2.31")
    findings = r.json()
    version_findings = [f for f in findings if f["rule"] == "kube-version"]
    said = f"is {side} than the facts node-timing has (1.24\u20131.37): checks that depend on"
    assert any(said in f["message"] and f["severity"] == "warning" for f in version_findings)
    # 15s against a 10s heartbeat is judged on known versions only; a bare number is no
    # duration on any version
    rules = {f["rule"] for f in findings}
    assert "grace-vs-heartbeat" not in rules and "duration-format" in rules
    assert not any("1.36" in f["message"] or "1.35" in f["message"] for f in findings)
    explain = cli("explain", str(inv))
    assert explain.code == 3 and said in explain.err and "Kubernetes" not in explain.out
