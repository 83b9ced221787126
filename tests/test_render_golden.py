"""Rendered files for every profile at Kubernetes 1.26, 1.31, 1.35 and 1.37, against golden files.

Regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_render_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from node_timing import durations, knowledge, profiles
from node_timing.render import render_all

GOLDEN = Path(__file__).parent / "golden" / "render"
VERSIONS = ("1.26", "1.31", "1.35", "1.37")
NODES = 100
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CASES = [(name, version) for name in profiles.names() for version in VERSIONS]


def _render(name: str, version: str) -> dict[str, str]:
    result = profiles.compute(name, NODES, kube_version=version)
    return render_all(result.settings, result.kube_version)


def _docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


@pytest.fixture(scope="module", params=CASES, ids=[f"{n}-{v}" for n, v in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, str, dict[str, str]]:
    name, version = request.param
    return name, version, _render(name, version)


def test_matches_golden_files(case: tuple[str, str, dict[str, str]]) -> None:
    name, version, files = case
    directory = GOLDEN / f"{name}-{version}"
    if UPDATE:
        if directory.exists():
            for old in sorted(directory.rglob("*"), reverse=True):
                old.unlink() if old.is_file() else old.rmdir()
        for rel, text in files.items():
            (directory / rel).parent.mkdir(parents=True, exist_ok=True)
            (directory / rel).write_bytes(text.encode("utf-8"))
    on_disk = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert on_disk == set(files), "rendered file set differs from the golden files"
    for rel, text in files.items():
        assert (directory / rel).read_bytes() == text.encode("utf-8"), rel


def _validation_version(version: str) -> str:
    """The kubernetes-validate schema version nearest to ``version`` (it ships 1.25 to 1.37)."""
    available = sorted(
        {tuple(int(x) for x in v.split(".")[:2]) for v in kubernetes_validate.utils.all_versions()}
    )
    wanted = knowledge.KubeVersion.parse(version).key()
    nearest = min(available, key=lambda v: abs(v[1] - wanted[1]) if v[0] == wanted[0] else 99)
    return f"{nearest[0]}.{nearest[1]}.0"


def test_controller_manager_manifest_is_a_valid_pod(case: tuple[str, str, dict[str, str]]) -> None:
    _, version, files = case
    (pod,) = _docs(files["manifests/kube-controller-manager.yaml"])
    kubernetes_validate.validate(pod, _validation_version(version), strict=True)
    (container,) = pod["spec"]["containers"]
    assert container["image"] == f"registry.k8s.io/kube-controller-manager:v{version}.0"
    flags = [arg.split("=", 1)[0] for arg in container["command"][1:]]
    assert len(flags) == len(set(flags))
    for flag in (
        "--node-monitor-period",
        "--node-monitor-grace-period",
        "--node-startup-grace-period",
        "--node-eviction-rate",
        "--secondary-node-eviction-rate",
        "--large-cluster-size-threshold",
        "--unhealthy-zone-threshold",
    ):
        assert flag in flags


def test_kubeadm_config_uses_the_versions_api(case: tuple[str, str, dict[str, str]]) -> None:
    _, version, files = case
    cluster, kubelet = _docs(files["kubeadm/kubeadm-config.yaml"])
    expected = "v1beta4" if knowledge.KubeVersion.parse(version).key() >= (1, 31) else "v1beta3"
    assert cluster["apiVersion"] == f"kubeadm.k8s.io/{expected}"
    assert kubelet["kind"] == "KubeletConfiguration"
    for component in ("apiServer", "controllerManager"):
        extra = cluster[component]["extraArgs"]
        if expected == "v1beta4":
            assert isinstance(extra, list)
            names = [item["name"] for item in extra]
            assert len(names) == len(set(names))
            assert all(set(item) == {"name", "value"} for item in extra)
            assert all(isinstance(item["value"], str) for item in extra)
        else:
            assert isinstance(extra, dict)
            assert all(isinstance(v, str) for v in extra.values())


def test_no_removed_flag_from_1_27(case: tuple[str, str, dict[str, str]]) -> None:
    _, version, files = case
    if knowledge.KubeVersion.parse(version).key() >= (1, 27):
        for rel, text in files.items():
            assert "pod-eviction-timeout" not in text, rel
            assert "enable-taint-manager" not in text, rel


_TOLERATIONS = ("default-not-ready-toleration-seconds", "default-unreachable-toleration-seconds")
_DURATION_FLAGS = ("node-monitor-period", "node-monitor-grace-period", "node-startup-grace-period")


def test_values_are_integer_strings_and_go_durations(case: tuple[str, str, dict[str, str]]) -> None:
    _, _, files = case
    cluster, kubelet = _docs(files["kubeadm/kubeadm-config.yaml"])
    args: dict[str, str] = {}
    for component in ("apiServer", "controllerManager"):
        extra = cluster[component]["extraArgs"]
        args.update({i["name"]: i["value"] for i in extra} if isinstance(extra, list) else extra)
    (pod,) = _docs(files["manifests/kube-controller-manager.yaml"])
    flags = dict(a[2:].split("=", 1) for a in pod["spec"]["containers"][0]["command"][1:])
    for name in _TOLERATIONS:
        assert re.fullmatch(r"[0-9]+", args[name]), (name, args[name])
    for name in _DURATION_FLAGS:
        for value in (args[name], flags[name]):
            assert durations.normalize(value) == value
    ks = yaml.safe_load(files["kubespray/node-timing.yml"])
    for var in (
        "kube_apiserver_pod_eviction_not_ready_timeout_seconds",
        "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
    ):
        assert isinstance(ks[var], str) and re.fullmatch(r"[0-9]+", ks[var])
    for doc in (kubelet, *_docs(files["kubelet/kubelet-config.yaml"])):
        for field in ("nodeStatusUpdateFrequency", "nodeStatusReportFrequency"):
            assert durations.normalize(doc[field]) == doc[field]
        assert isinstance(doc["nodeLeaseDurationSeconds"], int)
