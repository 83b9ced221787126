"""What each kubespray release deploys, how the release is found, and how `kube-version` says so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lintkit import HOSTS, lint, make_inventory, of

from node_timing import releases
from node_timing.evaluate.options import Options
from node_timing.rules.runner import lint_inventory

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"

# (release, a kube_version it deploys, one it rejects, the words the rejection must contain)
FACTS = [
    ("2.27", "v1.31.9", "1.31.9", "with a leading v"),
    ("2.27", "v1.29.0", "v1.32.0", "deploys v1.29-v1.31"),
    ("2.28", "1.32.8", "v1.32.8", "without a leading v"),
    ("2.28", "1.30.14", "1.33.0", "deploys 1.30-1.32"),
    ("2.29", "1.33.7", "1.30.5", "deploys 1.31-1.33"),
    ("v2.30.0", "1.34.3", "1.34.4", "deploys 1.34.0-1.34.3"),  # the patch release pins the ceiling
    ("2.31", "1.35.4", "1.36.1", "kubespray 2.31 deploys 1.33-1.35; 1.36.1 is not among them"),
    ("2.31", "1.33.11", "v1.35.4", "without a leading v"),
    ("master", "1.36.4", "1.33.5", "deploys 1.34-1.36"),
    ("master", "1.34.0", "1.35", "needs a full version"),
]


@pytest.mark.parametrize(("release", "accepted", "rejected", "words"), FACTS)
def test_release_accepts_and_rejects(
    tmp_path: Path, release: str, accepted: str, rejected: str, words: str
) -> None:
    ok = lint(tmp_path / "ok", {K8S: f'kube_version: "{accepted}"\n'}, kubespray_version=release)
    assert of(ok, "kube-version") == []
    bad = lint(tmp_path / "bad", {K8S: f'kube_version: "{rejected}"\n'}, kubespray_version=release)
    [finding] = of(bad, "kube-version")
    assert finding.severity == "error"
    assert words in finding.message
    assert f"set with --kubespray-version {release}" in finding.message
    assert finding.line == 1


def test_every_release_has_its_facts_and_a_source() -> None:
    known = releases.releases()
    assert list(known) == ["2.27", "2.28", "2.29", "2.30", "2.31", "master"]
    for name, fact in known.items():
        assert fact["source"], name
        assert fact["default_kube_version"].lstrip("v").rsplit(".", 1)[0] in fact["patches"]
        assert fact["defaults"]["kube_controller_node_monitor_grace_period"] == "40s"
    assert known["2.30"]["kubeadm_api"] == {"v1beta4_from": "1.31", "before": "v1beta3"}
    assert known["2.31"]["kubeadm_api"]["before"] is None


def _checkout(root: Path, galaxy: str, k8s: str = 'kube_version: "1.36.1"\n') -> Path:
    """A kubespray checkout as kubespray lays it out: galaxy.yml at the root, inventory/NAME
    holding inventory.ini and group_vars."""
    root.mkdir(parents=True)
    (root / "galaxy.yml").write_text(galaxy)
    inv = root / "inventory" / "mycluster"
    inv.mkdir(parents=True)
    (inv / "inventory.ini").write_text(HOSTS)
    (inv / K8S).parent.mkdir(parents=True)
    (inv / K8S).write_text(k8s)
    return inv


GALAXY = """---
namespace: kubernetes_sigs
description: Deploy a production ready Kubernetes cluster
name: kubespray
version: {version}
readme: README.md
"""


def test_release_read_from_the_checkout_makes_an_error(tmp_path: Path) -> None:
    inv = _checkout(tmp_path / "kubespray", GALAXY.format(version="2.31.0"))
    release = releases.detect_release(inv / "inventory.ini")
    assert (release.name, release.how, release.exact) == ("2.31", "known", True)
    _ctx, findings = lint_inventory(inv, Options())
    [finding] = of(findings, "kube-version")
    assert finding.severity == "error"
    assert "kubespray 2.31 deploys 1.33-1.35; 1.36.1 is not among them" in finding.message
    assert "galaxy.yml version 2.31.0" in finding.message


def test_later_patch_release_is_held_to_minors_only(tmp_path: Path) -> None:
    # 2.31.3 may know 1.35 patches after 1.35.4: only the minors are checked then
    inv = _checkout(tmp_path / "kubespray", GALAXY.format(version="2.31.3"))
    release = releases.detect_release(inv)
    assert (release.name, release.exact) == ("2.31", False)
    assert releases.kube_version_problem(release, "1.35.9") is None
    assert releases.kube_version_problem(release, "1.36.0") is not None


def test_master_checkout_is_master(tmp_path: Path) -> None:
    inv = _checkout(tmp_path / "kubespray", GALAXY.format(version="2.32.0"))
    assert releases.detect_release(inv).name == "master"


def test_no_checkout_is_guessed_and_a_warning(tmp_path: Path) -> None:
    findings = lint(tmp_path, {K8S: 'kube_version: "v1.35.4"\n'})
    [finding] = of(findings, "kube-version")
    assert finding.severity == "warning"
    assert "kubespray master wants kube_version without a leading v: 1.35.4" in finding.message
    assert "assumed: no kubespray galaxy.yml found" in finding.message


def test_another_collections_galaxy_is_not_kubespray(tmp_path: Path) -> None:
    inv = _checkout(tmp_path / "other", "name: node_timing\nversion: 2.31.0\n")
    assert releases.detect_release(inv).how == "guessed"


def test_unknown_release_in_checkout_is_guessed(tmp_path: Path) -> None:
    inv = _checkout(tmp_path / "kubespray", GALAXY.format(version="2.26.0"))
    release = releases.detect_release(inv)
    assert release.how == "guessed"
    assert "2.26.0" in release.why


def test_huge_galaxy_file_is_read_only_in_part(tmp_path: Path) -> None:
    # the version line past the read limit is not seen: the release is guessed, not an error
    inv = _checkout(
        tmp_path / "kubespray", "name: kubespray\n" + "#\n" * 100_000 + "version: 2.31.0\n"
    )
    assert releases.detect_release(inv).how == "guessed"


def test_unset_kube_version_is_kubesprays_default(tmp_path: Path) -> None:
    assert (
        of(lint(tmp_path, {K8S: "cluster_name: a\n"}, kubespray_version="2.27"), "kube-version")
        == []
    )


def test_cli_option_and_config_key(tmp_path: Path, cli) -> None:
    inv = make_inventory(tmp_path, {K8S: 'kube_version: "1.35.4"\n'})
    assert cli("lint", str(inv), "--kubespray-version", "2.31").code == 0
    failed = cli("lint", str(inv), "--kubespray-version", "v2.30.0", "--format", "json")
    assert failed.code == 2
    assert "kubespray 2.30 deploys 1.32-1.34" in failed.out
    unknown = cli("lint", str(inv), "--kubespray-version", "2.26")
    assert unknown.code == 3
    assert "unknown kubespray release '2.26'" in unknown.err
    (tmp_path / ".node-timing.yml").write_text('kubespray_version: "2.29"\n')
    from_config = cli("lint", str(inv))
    assert from_config.code == 2
    assert "kubespray_version in" in from_config.out
    (tmp_path / ".node-timing.yml").write_text("kubespray_version: 2.30\n")
    unquoted = cli("lint", str(inv))
    assert unquoted.code == 3
    assert ".node-timing.yml" in unquoted.err
    assert "Traceback" not in unquoted.err


def test_fifo_named_galaxy_is_never_opened(tmp_path: Path) -> None:
    # opening a FIFO blocks until a writer comes: it must not be opened at all
    inv = _checkout(tmp_path / "kubespray", "")
    (tmp_path / "kubespray" / "galaxy.yml").unlink()
    os.mkfifo(tmp_path / "kubespray" / "galaxy.yml")
    assert releases.detect_release(inv).how == "guessed"
