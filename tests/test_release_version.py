"""The Kubernetes version an inventory without ``kube_version`` is judged by: the default of the
kubespray release it is for (``default_kube_version`` of the release, or of the earlier tag),
and where that release was read from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lintkit import HOSTS, of

from node_timing import releases
from node_timing.evaluate.options import Options
from node_timing.rules.runner import lint_inventory

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
GALAXY = """---
namespace: kubernetes_sigs
description: Deploy a production ready Kubernetes cluster
name: kubespray
version: {version}
readme: README.md
"""
# A grace period written twice: kubespray's variable and the extra-args key. kubeadm before
# 1.34.4 / 1.35.1 sorts extraArgs, so 40s runs; later ones keep kubespray's order, so 20s runs.
DUPLICATE = """\
kube_controller_node_monitor_grace_period: 40s
kube_kubeadm_controller_extra_args:
  node-monitor-grace-period: 20s
"""


def checkout(root: Path, version: str, k8s: str = "cluster_name: a\n") -> Path:
    """kubespray's checkout layout: galaxy.yml at the root, the inventory at inventory/NAME."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "galaxy.yml").write_text(GALAXY.format(version=version))
    inv = root / "inventory" / "mycluster"
    (inv / K8S).parent.mkdir(parents=True)
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / K8S).write_text(k8s)
    return inv


# (galaxy.yml version, the kube_version kubespray deploys when the inventory sets none)
DEFAULTS = [
    ("2.27.1", "1.31.9"),
    ("2.27.0", "1.31.4"),
    ("2.28.1", "1.32.8"),
    ("2.28.0", "1.32.5"),
    ("2.29.1", "1.33.7"),
    ("2.29.0", "1.33.5"),
    ("2.30.0", "1.34.3"),
    ("2.31.0", "1.35.4"),
    ("2.32.0", "1.36.4"),  # master
]


@pytest.mark.parametrize(("galaxy", "deployed"), DEFAULTS)
def test_unset_kube_version_is_the_release_default(
    tmp_path: Path, galaxy: str, deployed: str
) -> None:
    ctx, findings = lint_inventory(checkout(tmp_path / "ks", galaxy), Options())
    assert str(ctx.version) == deployed
    assert of(findings, "kube-version") == []
    assert ctx.version_why.endswith("'s default; the inventory sets no kube_version")


@pytest.mark.parametrize(
    ("galaxy", "last", "beyond"),
    [
        ("2.29.0", "1.33.5", "1.33.7"),
        ("2.28.0", "1.32.5", "1.32.8"),
        ("2.27.0", "v1.31.4", "v1.31.9"),
    ],
)
def test_dot_zero_tags_end_at_their_own_checksums(
    tmp_path: Path, galaxy: str, last: str, beyond: str
) -> None:
    release = releases.detect_release(checkout(tmp_path / "ks", galaxy))
    assert release.exact
    assert releases.kube_version_problem(release, last) is None
    problem = releases.kube_version_problem(release, beyond)
    assert problem is not None and f"{beyond} is not among them" in problem
    named = releases.parse_release(f"v{galaxy}", "--kubespray-version")
    assert releases.kube_version_problem(named, beyond) is not None


def test_dot_zero_tag_rejects_a_later_patch_in_lint(tmp_path: Path) -> None:
    inv = checkout(tmp_path / "ks", "2.29.0", 'kube_version: "1.33.7"\n')
    _ctx, findings = lint_inventory(inv, Options())
    [finding] = of(findings, "kube-version")
    assert finding.severity == "error"
    assert "deploys 1.33.0-1.33.5; 1.33.7 is not among them" in finding.message


def test_the_patch_release_after_the_recorded_one_takes_the_recorded_default(
    tmp_path: Path,
) -> None:
    # 2.29.2 is newer than node-timing's facts: the minors hold, and the default is 2.29.1's
    ctx, _ = lint_inventory(checkout(tmp_path / "ks", "2.29.2"), Options())
    assert str(ctx.version) == "1.33.7"


def test_explain_and_render_use_the_release_default(tmp_path: Path, cli) -> None:
    inv = checkout(tmp_path / "ks", "2.31.0")
    explained = cli("explain", str(inv))
    assert explained.code == 0
    assert explained.out.splitlines()[0] == (
        "Kubernetes 1.35.4: kubespray 2.31's default; the inventory sets no kube_version"
    )
    assert "node-timing: kubespray 2.31 (from galaxy.yml version 2.31.0 at " in explained.err
    assert "the checkout holding the inventory" in explained.err
    as_json = json.loads(cli("explain", str(inv), "--format", "json").out)
    assert as_json["kube_version"] == "1.35.4"
    out = tmp_path / "rendered"
    assert cli("render", "--inventory", str(inv), "--out", str(out)).code == 0
    manifest = (out / "manifests" / "kube-controller-manager.yaml").read_text()
    assert "image: registry.k8s.io/kube-controller-manager:v1.35.4" in manifest


@pytest.mark.parametrize(("galaxy", "runs"), [("2.30.0", "40s"), ("2.31.0", "20s")])
def test_what_runs_follows_the_release_default(tmp_path: Path, cli, galaxy: str, runs: str) -> None:
    # kubespray 2.30 deploys 1.34.3, whose kubeadm sorts extraArgs; 2.31's 1.35.4 does not
    inv = checkout(tmp_path / "ks", galaxy, DUPLICATE)
    explained = json.loads(cli("explain", str(inv), "--format", "json").out)
    grace = explained["groups"][0]["settings"]["controller_manager.node_monitor_grace_period"]
    assert grace["value"] == runs
    _ctx, findings = lint_inventory(inv, Options())
    [duplicate] = of(findings, "duplicate-setting")
    assert str(duplicate.extra["runs"]) == runs
    # fix keeps what runs: the value that does not run is the one removed
    assert cli("fix", str(inv)).code in (0, 2, 8)
    fixed = json.loads(cli("explain", str(inv), "--format", "json").out)
    after = fixed["groups"][0]["settings"]["controller_manager.node_monitor_grace_period"]
    assert after["value"] == runs


def test_no_release_found_behaves_as_before(tmp_path: Path, cli) -> None:
    inv = tmp_path / "inv"
    (inv / K8S).parent.mkdir(parents=True)
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / K8S).write_text("cluster_name: a\n")
    ctx, _ = lint_inventory(inv, Options())
    newest = releases.releases()[releases.newest()]["default_kube_version"]
    assert str(ctx.version) == newest
    first = cli("explain", str(inv)).out.splitlines()[0]
    assert "the newest release node-timing knows" in first


def test_an_unusable_kube_version_is_checked_against_the_release_default(tmp_path: Path) -> None:
    inv = checkout(tmp_path / "ks", "2.30.0", 'kube_version: "one.thirty"\n')
    ctx, findings = lint_inventory(inv, Options())
    assert str(ctx.version) == "1.34.3"
    [finding] = of(findings, "kube-version")
    assert "version-dependent checks use 1.34.3" in finding.message
    assert ctx.version_why == (
        "kubespray 2.30's default; the inventory's kube_version cannot be used (lint says why)"
    )


def test_a_version_outside_the_facts_is_not_judged_by_the_release_default(tmp_path: Path) -> None:
    inv = checkout(tmp_path / "ks", "2.30.0", 'kube_version: "1.99.0"\n')
    _, findings = lint_inventory(inv, Options())
    [finding] = of(findings, "kube-version")
    assert "1.99 is newer than the facts node-timing has" in finding.message
    assert "1.34" not in finding.message
