"""``node-timing lint FILE...`` on deployed files: kubeadm configurations (v1beta3, v1beta4,
several documents), kubelet configurations, static Pods and kubelet environment files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from node_layout import (
    control_plane,
    kubeadm_config,
    kubeadm_flags_env,
    kubeadm_kubelet_config,
    kubespray_kubelet_config,
    kubespray_kubelet_env,
    locate,
    static_pod,
    value_at,
    write,
)

from node_timing.cli import main


def lint_json(
    capsys: pytest.CaptureFixture[str], *paths: Path, args: tuple[str, ...] = ()
) -> tuple[int, list[dict[str, object]]]:
    code = main(["lint", "--format", "json", *args, *map(str, paths)])
    out = capsys.readouterr().out
    return code, json.loads(out)


def at(findings: list[dict[str, object]], rule: str) -> list[tuple[str, int, int]]:
    return [
        (os.path.abspath(str(f["path"])), int(f["line"]), int(f["column"]))  # type: ignore[call-overload]
        for f in findings
        if f["rule"] == rule
    ]


def pos(path: Path, line_col: tuple[int, int]) -> tuple[str, int, int]:
    return (str(path), *line_col)


@pytest.mark.parametrize("api", ["v1beta3", "v1beta4"])
def test_kubeadm_multi_document_positions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], api: str
) -> None:
    config = write(
        tmp_path,
        "/kubeadm.yaml",
        kubeadm_config(
            api,
            controller={"node-monitor-grace-period": "20s", "node-monitor-period": "25s"},
            apiserver={"default-unreachable-toleration-seconds": "0"},
            kubelet={"nodeStatusUpdateFrequency": "10s", "nodeLeaseDurationSeconds": 40},
        ),
    )
    code, findings = lint_json(capsys, config)
    # warnings only: 2 heartbeats per grace period and a period at or above grace are warnings
    # (no upstream limit; see data/kubernetes.yml thresholds), a zero toleration too
    assert code == 0 and findings
    grace = pos(
        config, value_at(config, "node-monitor-grace-period" if api == "v1beta3" else "value", 1)
    )
    if api == "v1beta4":
        # the {name, value} item: the value line after the name
        line, _ = locate(config, "name: node-monitor-grace-period")
        grace = (str(config), line + 1, value_at(config, "value")[1])
    assert grace in at(findings, "grace-vs-heartbeat")
    period_at = at(findings, "monitor-period")
    assert len(period_at) == 1 and period_at[0][0] == str(config)
    assert period_at[0][1] == (
        locate(config, "node-monitor-period")[0] + (0 if api == "v1beta3" else 1)
    )
    # the KubeletConfiguration document of the same file: the update frequency is written, so
    # the report frequency inherits it
    assert at(findings, "report-frequency") == [
        pos(config, value_at(config, "nodeStatusUpdateFrequency"))
    ]
    assert len(at(findings, "toleration-zero")) == 1


def test_kubeadm_extra_args_in_the_other_versions_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = kubeadm_config("v1beta4", controller={"node-monitor-grace-period": "50s"})
    text = text.replace("kubeadm.k8s.io/v1beta4", "kubeadm.k8s.io/v1beta4", 1)
    v3_shaped = text.replace(
        '  extraArgs:\n  - name: node-monitor-grace-period\n    value: "50s"\n',
        "  extraArgs:\n    node-monitor-grace-period: 50s\n",
    )
    config = write(tmp_path, "/kubeadm.yaml", v3_shaped)
    code, findings = lint_json(capsys, config)
    assert code == 2
    load = [f for f in findings if f["rule"] == "yaml-load"]
    assert len(load) == 1
    assert "must be a list of {name, value} in kubeadm.k8s.io/v1beta4" in str(load[0]["message"])
    assert (load[0]["line"], load[0]["column"]) == (
        locate(config, "node-monitor-grace-period: 50s")[0],
        5,
    )


def test_kubelet_config_file_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, "/config.yaml", kubespray_kubelet_config(update="20s"))
    code, findings = lint_json(capsys, config)
    assert code == 0
    assert at(findings, "report-frequency") == [
        pos(config, value_at(config, "nodeStatusUpdateFrequency"))
    ]


def test_kubeadm_kubelet_config_zero_values_are_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, "/config.yaml", kubeadm_kubelet_config())
    code, findings = lint_json(capsys, config)
    assert code == 0
    assert at(findings, "report-frequency") == []


def test_manifest_version_from_the_image_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(
        tmp_path,
        "/old/kube-controller-manager.yaml",
        static_pod("kube-controller-manager", {"pod-eviction-timeout": "5m0s"}, "v1.26.3"),
    )
    new = write(
        tmp_path,
        "/new/kube-controller-manager.yaml",
        static_pod("kube-controller-manager", {"pod-eviction-timeout": "5m0s"}, "v1.33.5"),
    )
    # the file's version wins over --kube-version
    code, findings = lint_json(capsys, old, args=("--kube-version", "1.35"))
    removed = [f for f in findings if f["rule"] == "removed-setting"]
    assert [f["severity"] for f in removed] == ["warning"]
    assert at(findings, "removed-setting") == [pos(old, value_at(old, "--pod-eviction-timeout"))]
    code, findings = lint_json(capsys, new)
    assert code == 2
    assert [f["severity"] for f in findings if f["rule"] == "removed-setting"] == ["error"]


def test_bad_version_in_the_image_is_a_kube_version_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = write(tmp_path, "/kube-apiserver.yaml", static_pod("kube-apiserver", {}, "v1.12.0"))
    code, findings = lint_json(capsys, manifest)
    assert code == 0  # nothing is known to be wrong: node-timing has no facts for it
    line, col = locate(manifest, "v1.12.0")
    assert at(findings, "kube-version") == [(str(manifest), line, col)]
    assert findings[0]["message"] == (
        "1.12 is older than the facts node-timing has (1.24\u20131.37): checks that depend on "
        "the version are skipped"
    )


def test_a_version_outside_the_facts_is_never_judged_with_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = {"pod-eviction-timeout": "1m0s", "node-monitor-grace-period": "16s"}
    old = write(
        tmp_path,
        "/old/kube-controller-manager.yaml",
        static_pod("kube-controller-manager", flags, "v1.12.3"),
    )
    code, findings = lint_json(capsys, old)
    assert code == 0
    assert [f["rule"] for f in findings] == ["kube-version"]
    assert not any("will not start" in f["message"] for f in findings)
    # the same file on a version node-timing knows is judged
    new = write(
        tmp_path,
        "/new/kube-controller-manager.yaml",
        static_pod("kube-controller-manager", flags, "v1.33.0"),
    )
    code, findings = lint_json(capsys, new)
    assert code == 2 and "removed-setting" in {f["rule"] for f in findings}


def test_env_files_flags_positions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flags = write(
        tmp_path, "/kubeadm-flags.env", kubeadm_flags_env(" --node-status-update-frequency=10")
    )
    code, findings = lint_json(capsys, flags)
    assert code == 2  # a bare number is no Go duration: the kubelet will not start
    assert at(findings, "duration-format") == [
        pos(flags, value_at(flags, "--node-status-update-frequency"))
    ]
    env = write(
        tmp_path, "/kubelet.env", kubespray_kubelet_env("--node-status-update-frequency=1x")
    )
    code, findings = lint_json(capsys, env)
    # KUBELET_ARGS continues over lines: the flag is on the value's sixth line
    assert at(findings, "duration-format") == [
        pos(env, value_at(env, "--node-status-update-frequency"))
    ]
    assert value_at(env, "--node-status-update-frequency")[0] == 10


def test_one_node_flags_beat_the_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, "/kubelet-config.yaml", kubespray_kubelet_config(update="4s"))
    env = write(
        tmp_path, "/kubelet.env", kubespray_kubelet_env("--node-status-update-frequency=1m")
    )
    cp = control_plane(tmp_path / "cp", controller={"node-monitor-grace-period": "2m0s"})
    manifest = cp / "etc/kubernetes/manifests/kube-controller-manager.yaml"
    _code, findings = lint_json(capsys, env, config, manifest)
    # the report frequency took the config file's 4s at defaulting; the flag's 1m runs
    report = [f for f in findings if f["rule"] == "report-frequency"]
    assert at(findings, "report-frequency") == [
        pos(config, value_at(config, "nodeStatusUpdateFrequency"))
    ]
    assert "4s is shorter than nodeStatusUpdateFrequency 1m0s" in str(report[0]["message"])


def test_manifests_in_two_directories_are_two_control_plane_hosts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = control_plane(tmp_path / "cp1", controller={"node-monitor-grace-period": "50s"})
    b = control_plane(tmp_path / "cp2", controller={"node-monitor-grace-period": "50s"})
    c = control_plane(tmp_path / "cp3", controller={"node-monitor-grace-period": "30s"})
    paths = [r / "etc/kubernetes/manifests/kube-controller-manager.yaml" for r in (a, b, c)]
    code, findings = lint_json(capsys, *paths)
    assert code == 2
    assert at(findings, "control-plane-drift") == [
        pos(paths[2], value_at(paths[2], "--node-monitor-grace-period"))
    ]


def test_a_file_of_no_known_kind_among_several_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, "/config.yaml", kubespray_kubelet_config())
    other = write(tmp_path, "/other.yaml", "apiVersion: v1\nkind: ConfigMap\n")
    assert main(["lint", str(config), str(other)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other.yaml: not a kubeadm configuration" in err


def test_broken_yaml_among_deployed_files_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, "/config.yaml", kubespray_kubelet_config())
    broken = write(tmp_path, "/broken.yaml", "kind: Pod\nspec: [\n")
    code, findings = lint_json(capsys, config, broken)
    assert code == 2
    assert [where[0] for where in at(findings, "yaml-load")] == [str(broken)]


def test_one_inventory_file_is_still_an_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = write(tmp_path, "/hosts.yaml", "all:\n  hosts:\n    node1:\n")
    assert main(["lint", str(hosts)]) == 0


def test_noqa_on_a_manifest_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = static_pod("kube-controller-manager", {"pod-eviction-timeout": "5m0s"})
    text = text.replace(
        "--pod-eviction-timeout=5m0s", "--pod-eviction-timeout=5m0s  # noqa: removed-setting"
    )
    manifest = write(tmp_path, "/kube-controller-manager.yaml", text)
    _code, findings = lint_json(capsys, manifest)
    assert at(findings, "removed-setting") == []


def test_huge_and_special_files_in_a_subprocess(tmp_path: Path) -> None:
    """A FIFO, /dev/zero behind a symlink and a 20 MiB file: one finding each, bounded."""
    import resource

    config = write(tmp_path, "/config.yaml", kubespray_kubelet_config())
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    os.symlink("/dev/zero", zero)
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.write(b"kind: KubeletConfiguration\n" + b"# padding\n" * (2 << 20))

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "node_timing", "lint", str(config), str(fifo), str(zero), str(big)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limits,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "fifo.yaml:1:1\n  error yaml-load: cannot read: not a regular file" in result.stdout
    assert "zero.yaml:1:1\n  error yaml-load: cannot read: not a regular file" in result.stdout
    assert "big.yaml:1:1\n  error yaml-load: not checked: file larger than 16 MiB" in result.stdout
