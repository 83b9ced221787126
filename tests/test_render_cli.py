"""``node-timing render``: files under --out, --patch-manifest, and one-line errors with exit 3."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from node_timing import profiles
from node_timing.cli import main
from node_timing.render import render_all

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"


def test_out_writes_every_file_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = [
        "render",
        "--profile",
        "fast",
        "--nodes",
        "300",
        "--kube-version",
        "1.35",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    result = profiles.compute("fast", 300, kube_version="1.35")
    expected = render_all(result.settings, result.kube_version)
    for rel, text in expected.items():
        assert (out / rel).read_text(encoding="utf-8") == text
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.count("unchanged ") == len(expected)
    assert main([*args, "--check"]) == 0


def test_set_and_kubeadm_api_reach_the_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "render", "--profile", "upstream", "--nodes", "10", "--kube-version", "v1.31.2",
            "--set", "controller_manager.node_monitor_grace_period=90s",
            "--kubeadm-api", "v1beta3", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    kubeadm = (out / "kubeadm" / "kubeadm-config.yaml").read_text()
    assert "apiVersion: kubeadm.k8s.io/v1beta3" in kubeadm
    assert "    node-monitor-grace-period: 1m30s\n" in kubeadm
    manifest = (out / "manifests" / "kube-controller-manager.yaml").read_text()
    assert "image: registry.k8s.io/kube-controller-manager:v1.31.2\n" in manifest


def test_patch_manifest_check_diff_then_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "kube-controller-manager.yaml"
    shutil.copyfile(FIXTURES / "kube-controller-manager-1.31.yaml", manifest)
    os.chmod(manifest, 0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(manifest)
    original = manifest.read_bytes()
    base = ["render", "--profile", "fast", "--nodes", "50", "--kube-version", "1.31"]

    assert main([*base, "--patch-manifest", str(link), "--check", "--diff"]) == 2
    printed = capsys.readouterr().out
    assert "-    - --pod-eviction-timeout=5m0s\n" in printed
    assert "+    - --node-monitor-grace-period=20s\n" in printed
    assert manifest.read_bytes() == original

    assert main([*base, "--patch-manifest", str(link)]) == 0
    assert link.is_symlink()
    assert b"--pod-eviction-timeout" not in manifest.read_bytes()
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o600
    assert main([*base, "--patch-manifest", str(manifest), "--check"]) == 0


FAST = ["render", "--profile", "fast", "--nodes", "3"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["render", "--out", "OUT"], "--profile NAME --nodes N, or --inventory"),
        (["render", "--profile", "fast", "--out", "OUT"], "--profile needs --nodes"),
        (FAST, "--out DIR, --patch-manifest"),
        (["render", "--profile", "nope", "--nodes", "3", "--out", "OUT"], "unknown profile"),
        (["render", "--profile", "fast", "--nodes", "-3", "--out", "OUT"], "must not be negative"),
        ([*FAST, "--kube-version", "1.99", "--out", "OUT"], "outside the known facts"),
        ([*FAST, "--set", "kubelet.nope=1", "--out", "OUT"], "unknown setting"),
        (
            [*FAST, "--kube-version", "1.37", "--kubeadm-api", "v1beta3", "--out", "OUT"],
            "kubeadm 1.37 does not accept the v1beta3",
        ),
        (
            [*FAST, "--kube-version", "1.30", "--kubeadm-api", "v1beta4", "--out", "OUT"],
            "kubeadm 1.30 does not accept the v1beta4",
        ),
        ([*FAST, "--inventory", "inv", "--out", "OUT"], "not both"),
        ([*FAST, "--patch-manifest", "MISSING"], "no such file"),
        ([*FAST, "--patch-manifest", "CONFIGMAP"], "neither"),
        ([*FAST, "--out", "AFILE"], "not a directory"),
    ],
)
def test_errors_are_one_line_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (tmp_path / "configmap.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    (tmp_path / "afile").write_text("")
    paths = {
        "OUT": tmp_path / "out",
        "MISSING": tmp_path / "missing.yaml",
        "CONFIGMAP": tmp_path / "configmap.yaml",
        "AFILE": tmp_path / "afile",
    }
    assert main([str(paths.get(a, a)) for a in argv]) == 3
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("node-timing: error: ")
    assert message in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()
