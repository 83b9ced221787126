"""kubeadm-only users: a ClusterConfiguration (or a static Pod) with no kubelet configuration
beside it is judged against kubelets at the version's defaults, said so, and its findings speak
of the file's own fields and of upstream, not of kubespray."""

from __future__ import annotations

import json
from pathlib import Path

from node_layout import kubeadm_config, static_pod, value_at, write

from node_timing.cli import main

LONE = """\
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.33.2
controllerManager:
  extraArgs:
    - name: node-monitor-grace-period
      value: 16s
"""


def _lint(capsys, *paths: Path) -> tuple[int, list[dict[str, object]], str]:  # type: ignore[no-untyped-def]
    code = main(["lint", "--format", "json", *map(str, paths)])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_a_lone_cluster_configuration_is_judged_against_default_kubelets(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    config = write(tmp_path, "/kubeadm-config.yaml", LONE)
    code, findings, err = _lint(capsys, config)
    assert code == 2
    grace = [f for f in findings if f["rule"] == "grace-vs-heartbeat"]
    assert len(grace) == 1
    message = str(grace[0]["message"])
    assert (grace[0]["line"], grace[0]["column"]) == value_at(config, "value")
    assert "grace 16s allows 1.6 heartbeats of 10s" in message
    # the file's own fields and upstream's words, never kubespray's
    assert "controllerManager.extraArgs node-monitor-grace-period" in message
    assert "KubeletConfiguration nodeLeaseDurationSeconds" in message
    assert "kubespray" not in message and "kube_controller" not in message
    assert grace[0]["hosts"] == ["this file"]
    assert "no kubelet configuration among these files" in err
    assert "Kubernetes 1.33's defaults" in err


def test_a_kubelet_configuration_beside_it_is_what_is_judged(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    both = write(
        tmp_path,
        "/kubeadm-config.yaml",
        kubeadm_config(
            controller={"node-monitor-grace-period": "16s"},
            kubelet={"nodeLeaseDurationSeconds": 8, "nodeStatusReportFrequency": "5m"},
        ),
    )
    _code, findings, err = _lint(capsys, both)
    assert "no kubelet configuration" not in err
    assert not [f for f in findings if f["rule"] == "grace-vs-heartbeat"], findings
    assert {f["hosts"][0] for f in findings} <= {"this file"}


def test_a_static_pod_speaks_of_its_flags(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pod = write(
        tmp_path,
        "/kube-controller-manager.yaml",
        static_pod("kube-controller-manager", {"node-monitor-grace-period": "16s"}),
    )
    code, findings, _err = _lint(capsys, pod)
    grace = [f for f in findings if f["rule"] == "grace-vs-heartbeat"]
    assert code == 2 and grace
    assert "Raise --node-monitor-grace-period to 50s" in str(grace[0]["message"])
