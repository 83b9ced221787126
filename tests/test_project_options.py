"""Every command that reads an inventory reads .node-timing.yml and the command line one way: the
Kubernetes version, the kubespray release, the node count and the thresholds `lint` uses are what
`explain`, `verify`, `fix` and the ansible-lint rule use too."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import make_inventory

from node_timing import ansible_lint as bridge

K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
INVENTORY = {K8S: 'kube_version: "1.33.5"\nkube_controller_node_monitor_grace_period: 15s\n'}


def project(tmp_path: Path, config: str) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / ".node-timing.yml").write_text(config)
    return make_inventory(tmp_path, INVENTORY)


def test_explain_uses_the_kube_version_of_the_configuration(tmp_path: Path, cli) -> None:
    inv = project(tmp_path, 'kube_version: "1.31"\n')
    assert cli("explain", str(inv), "--format", "json").json()["kube_version"].startswith("1.31")
    # the command line wins over the file, as in lint
    shown = cli("explain", str(inv), "--format", "json", "--kube-version", "1.34").json()
    assert shown["kube_version"].startswith("1.34")


def test_explain_reads_the_configuration_named_with_c(tmp_path: Path, cli) -> None:
    inv = make_inventory(tmp_path, INVENTORY)
    config = tmp_path / "elsewhere.yml"
    config.write_text("nodes: 1234\n")
    assert cli("explain", str(inv), "--format", "json", "-c", str(config)).json()["nodes"] == 1234


@pytest.mark.parametrize("command", ["lint", "explain", "fix"])
def test_a_kube_version_it_cannot_use_names_where_it_was_set(
    tmp_path: Path, cli, command: str
) -> None:
    inv = project(tmp_path / "a", 'kube_version: "0.9"\n')
    from_file = cli(command, str(inv))
    assert from_file.code == 3, from_file.err
    assert ".node-timing.yml:1: kube_version" in from_file.err  # the file and line of the value
    assert len(from_file.err.strip().splitlines()) == 1 and "Traceback" not in from_file.err
    plain = project(tmp_path / "b", "nodes: 10\n")
    from_option = cli(command, str(plain), "--kube-version", "banana")
    assert from_option.code == 3
    assert from_option.err.startswith("node-timing: error: --kube-version:"), from_option.err


@pytest.mark.parametrize(("release", "reported"), [("2.27", True), ("2.31", False)])
def test_the_ansible_lint_rule_uses_the_release_of_the_configuration(
    tmp_path: Path, release: str, reported: bool
) -> None:
    """kubespray 2.27 does not deploy 1.33; 2.31 does. The rule ignored kubespray_version."""
    inv = project(tmp_path, f'kubespray_version: "{release}"\n')
    target = inv / K8S
    tags = {r.tag for r in bridge.Evaluations().reports(target)}
    assert ("node-timing[kube-version]" in tags) is reported, tags
    assert "node-timing[grace-vs-heartbeat]" in tags  # the inventory was linted either way


def test_verify_and_explain_take_the_release_on_the_command_line(tmp_path: Path, cli) -> None:
    inv = make_inventory(tmp_path, INVENTORY)
    collected = tmp_path / "collected"
    collected.mkdir()
    for command in (["explain", str(inv)], ["verify", str(inv), "--collected", str(collected)]):
        refused = cli(*command, "--kubespray-version", "2.26")
        assert refused.code == 3, (command, refused.err)
        assert "unknown kubespray release '2.26'" in refused.err


def test_render_from_an_inventory_uses_the_version_of_the_configuration(
    tmp_path: Path, cli
) -> None:
    """1.30 renders kubeadm's v1beta3, 1.31+ v1beta4: the version decides the file's shape."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".node-timing.yml").write_text('kube_version: "1.30"\n')
    inv = make_inventory(tmp_path, {K8S: 'kube_version: "1.33.5"\n'})
    clean = make_inventory(tmp_path / "elsewhere" / "x", {K8S: 'kube_version: "1.33.5"\n'})
    (tmp_path / "elsewhere" / ".git").mkdir()
    for source, args, api in (
        (inv, (), "v1beta3"),  # .node-timing.yml's version
        (inv, ("--kube-version", "1.33"), "v1beta4"),  # the command line over the file
        (clean, ("-c", str(tmp_path / ".node-timing.yml")), "v1beta3"),  # -c names the file
    ):
        out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}"
        r = cli("render", "--inventory", str(source), "--out", str(out), *args)
        assert r.code == 0, r.err
        kubeadm = (out / "kubeadm" / "kubeadm-config.yaml").read_text()
        assert f"kubeadm.k8s.io/{api}" in kubeadm, (args, kubeadm[:200])
