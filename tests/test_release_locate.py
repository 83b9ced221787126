"""Where the kubespray release is read from, in the layouts kubespray documents: its checkout,
a kubespray submodule beside the inventory (kubespray/docs/operations/integration.md), kubespray installed
as a collection under the collections path Ansible would use; never above the repository."""

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


def manifest(version: str) -> str:
    """MANIFEST.json as ansible-galaxy writes it into an installed collection."""
    return json.dumps(
        {
            "collection_info": {
                "namespace": "kubernetes_sigs",
                "name": "kubespray",
                "version": version,
                "authors": ["The Kubespray maintainers"],
                "license": ["Apache-2.0"],
                "dependencies": {},
                "repository": "https://github.com/kubernetes-sigs/kubespray",
            },
            "file_manifest_file": {"name": "FILES.json", "ftype": "file", "format": 1},
            "format": 1,
        },
        indent=4,
    )


def inventory(directory: Path, k8s: str = "cluster_name: a\n") -> Path:
    (directory / K8S).parent.mkdir(parents=True)
    (directory / "inventory.ini").write_text(HOSTS)
    (directory / K8S).write_text(k8s)
    return directory


def repository(root: Path) -> Path:
    """A git repository's root: ``.git`` is all that marks it."""
    (root / ".git").mkdir(parents=True)
    return root


def install(collections: Path, version: str) -> Path:
    """kubespray as ``ansible-galaxy collection install`` leaves it under a collections path."""
    installed = collections / "ansible_collections" / "kubernetes_sigs" / "kubespray"
    installed.mkdir(parents=True)
    (installed / "MANIFEST.json").write_text(manifest(version))
    return installed


@pytest.fixture(autouse=True)
def _no_ansible_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the files a test writes: an empty home, none of Ansible's variables."""
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS", "ANSIBLE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ANSIBLE_HOME", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


def test_kubespray_as_a_submodule_beside_the_inventory(tmp_path: Path, cli) -> None:
    project = repository(tmp_path / "ansible-project")
    submodule = project / "kubespray"
    submodule.mkdir()
    (submodule / ".git").write_text("gitdir: ../.git/modules/kubespray\n")  # as git writes it
    (submodule / "galaxy.yml").write_text(GALAXY.format(version="2.30.0"))
    inv = inventory(project / "inventory" / "prod")
    release = releases.detect_release(inv)
    assert (release.name, release.how, release.exact) == ("2.30", "known", True)
    assert "a kubespray submodule" in release.why
    explained = cli("explain", str(inv))
    assert explained.out.startswith("Kubernetes 1.34.3: kubespray 2.30's default")
    assert "node-timing: kubespray 2.30 (from galaxy.yml version 2.30.0 at " in explained.err
    assert "kubespray/galaxy.yml, a kubespray submodule" in explained.err


def test_submodule_under_a_folder_as_the_integration_guide_shows(tmp_path: Path) -> None:
    # kubespray/docs/operations/integration.md adds it at 3d/kubespray
    project = repository(tmp_path / "p")
    (project / "3d" / "kubespray").mkdir(parents=True)
    (project / "3d" / "kubespray" / "galaxy.yml").write_text(GALAXY.format(version="2.31.0"))
    inv = inventory(project / "3d" / "inventory" / "prod")
    assert releases.detect_release(inv).name == "2.31"


def test_the_inventory_inside_the_submodule_reads_the_submodule(tmp_path: Path) -> None:
    project = repository(tmp_path / "p")
    (project / "galaxy.yml").write_text(GALAXY.format(version="2.27.1"))
    submodule = project / "kubespray"
    submodule.mkdir()
    (submodule / ".git").write_text("gitdir: ../.git/modules/kubespray\n")
    (submodule / "galaxy.yml").write_text(GALAXY.format(version="2.29.1"))
    inv = inventory(submodule / "inventory" / "mycluster")
    assert releases.detect_release(inv).name == "2.29"  # its root is the submodule's


def test_installed_collection_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    inv = inventory(repository(tmp_path / "p") / "inventory" / "prod")
    install(tmp_path / "collections", "2.29.1")
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", f"/nonexistent:{tmp_path / 'collections'}")
    release = releases.detect_release(inv)
    assert (release.name, release.how) == ("2.29", "known")
    assert "MANIFEST.json version 2.29.1" in release.why
    assert "ANSIBLE_COLLECTIONS_PATH" in release.why
    ctx, _ = lint_inventory(inv, Options())
    assert str(ctx.version) == "1.33.7"
    linted = cli("lint", str(inv))
    assert "node-timing: kubespray 2.29 (from MANIFEST.json version 2.29.1 at " in linted.err


def test_installed_collection_from_the_projects_ansible_cfg(tmp_path: Path) -> None:
    project = repository(tmp_path / "p")
    (project / "ansible.cfg").write_text(
        "[defaults]\nroles_path = roles\ncollections_path = ./collections\n"
    )
    installed = install(project / "collections", "2.31.0")
    (installed / "MANIFEST.json").unlink()  # an installation from source keeps galaxy.yml only
    (installed / "galaxy.yml").write_text(GALAXY.format(version="2.31.0"))
    inv = inventory(project / "inventory" / "prod")
    release = releases.detect_release(inv)
    assert release.name == "2.31"
    assert "collections_path in " in release.why and "ansible.cfg" in release.why


def test_installed_collection_in_ansibles_default_path(tmp_path: Path) -> None:
    install(tmp_path / "home" / ".ansible" / "collections", "2.28.0")
    inv = inventory(repository(tmp_path / "p") / "inventory" / "prod")
    release = releases.detect_release(inv)
    assert (release.name, release.exact) == ("2.28", True)
    assert "Ansible's default collections path" in release.why
    ctx, _ = lint_inventory(inv, Options())
    assert str(ctx.version) == "1.32.5"  # v2.28.0's checksums end at 1.32.5


def test_the_checkout_wins_over_an_installed_collection(tmp_path: Path) -> None:
    install(tmp_path / "home" / ".ansible" / "collections", "2.28.1")
    root = tmp_path / "kubespray"
    root.mkdir()
    (root / "galaxy.yml").write_text(GALAXY.format(version="2.31.0"))
    assert releases.detect_release(inventory(root / "inventory" / "mycluster")).name == "2.31"


def test_another_collection_is_not_kubespray(tmp_path: Path, monkeypatch) -> None:
    installed = install(tmp_path / "c", "2.31.0")
    (installed / "MANIFEST.json").write_text(manifest("2.31.0").replace('"kubespray"', '"other"'))
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(tmp_path / "c"))
    inv = inventory(repository(tmp_path / "p") / "inventory" / "prod")
    assert releases.detect_release(inv).how == "guessed"


def test_credentials_and_artifacts_are_never_read(tmp_path: Path, monkeypatch) -> None:
    inv = inventory(repository(tmp_path / "p") / "inventory" / "prod")
    for private in ("credentials", "artifacts"):
        install(inv / private, "2.31.0")
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", f"{inv / 'credentials'}:{inv / 'artifacts'}")
    assert releases.detect_release(inv).how == "guessed"


# --- not past the repository root -------------------------------------------------------------


def test_galaxy_above_the_repository_root_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "galaxy.yml").write_text(GALAXY.format(version="2.27.1"))
    project = repository(tmp_path / "project")
    inv = inventory(project / "inventory" / "prod", 'kube_version: "1.35.4"\n')
    release = releases.detect_release(inv)
    assert release.how == "guessed"
    # with the galaxy.yml read, 2.27 would make 1.35.4 an error; guessed master passes it
    _ctx, findings = lint_inventory(inv, Options())
    assert of(findings, "kube-version") == []


def test_a_worktree_or_submodule_git_file_is_a_root_too(tmp_path: Path) -> None:
    (tmp_path / "galaxy.yml").write_text(GALAXY.format(version="2.27.1"))
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text("gitdir: /somewhere/.git/worktrees/wt\n")
    assert releases.detect_release(inventory(tmp_path / "wt" / "inventory" / "x")).how == "guessed"


def test_without_git_only_the_checkout_layout_is_read(tmp_path: Path) -> None:
    # no .git anywhere: galaxy.yml two levels up only when the inventory is inventory/<cluster>
    (tmp_path / "galaxy.yml").write_text(GALAXY.format(version="2.27.1"))
    assert releases.detect_release(inventory(tmp_path / "a" / "b" / "inv")).how == "guessed"
    assert releases.detect_release(inventory(tmp_path / "deep" / "inv")).how == "guessed"
    # the tarball layout, <checkout>/inventory/<cluster>
    assert releases.detect_release(inventory(tmp_path / "inventory" / "mine")).name == "2.27"
    # a galaxy.yml in the inventory directory itself
    lone = inventory(tmp_path / "lone")
    (lone / "galaxy.yml").write_text(GALAXY.format(version="2.30.0"))
    assert releases.detect_release(lone).name == "2.30"


# --- ASCII digits only ------------------------------------------------------------------------

FULLWIDTH = "１.３５.４"
ARABIC_INDIC = "١.٣٥.٤"


@pytest.mark.parametrize("written", [FULLWIDTH, ARABIC_INDIC, "v" + FULLWIDTH])
def test_kube_version_in_other_digits_is_a_finding(tmp_path: Path, written: str) -> None:
    inv = inventory(tmp_path / "inv", f'kube_version: "{written}"\n')
    ctx, findings = lint_inventory(inv, Options(kubespray_version="2.31"))
    [finding] = of(findings, "kube-version")
    assert finding.severity == "error"
    assert "cannot parse Kubernetes version" in finding.message
    assert ctx.version_problem is not None


@pytest.mark.parametrize(
    "option",
    [
        ("--kubespray-version", "２.３１"),
        ("--kubespray-version", "٢.٣١"),
        ("--kube-version", FULLWIDTH),
        ("--kube-version", ARABIC_INDIC),
    ],
)
def test_versions_in_other_digits_are_a_usage_error(tmp_path: Path, cli, option) -> None:
    inv = inventory(tmp_path / "inv")
    run = cli("lint", str(inv), *option)
    assert run.code == 3
    assert "Traceback" not in run.err
    assert run.err.count("\n") == 1


def test_galaxy_version_in_other_digits_is_not_a_release(tmp_path: Path) -> None:
    root = tmp_path / "kubespray"
    root.mkdir()
    (root / "galaxy.yml").write_text(GALAXY.format(version="２.３１.０"))
    assert releases.detect_release(inventory(root / "inventory" / "x")).how == "guessed"


def test_settings_in_other_digits_are_refused(tmp_path: Path, cli) -> None:
    inv = inventory(
        tmp_path / "inv",
        "kube_controller_node_monitor_grace_period: ４０s\n"
        "kube_kubeadm_controller_extra_args:\n  node-eviction-rate: '０.１'\n",
    )
    _ctx, findings = lint_inventory(inv, Options(kubespray_version="2.31"))
    assert {f.rule for f in findings if f.severity == "error"} >= {
        "duration-format",
        "eviction-rate",
    }
    refused = cli(
        "profile",
        "upstream",
        "--nodes",
        "10",
        "--set",
        "controller_manager.node_eviction_rate=０.２",
    )
    assert refused.code == 3
