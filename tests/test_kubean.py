"""Kubean: a ``Cluster`` (kubean.io/v1alpha1) whose hosts and variables live in two ConfigMaps,
read as Kubean's job runs kubespray (``ansible-playbook -i hosts.yml -e @group_vars.yml``), with
findings located in the manifests. The fixtures follow Kubean's documented layout
(examples/install: Cluster.yml, HostsConfCM.yml, VarsConfCM.yml, or all in one file)."""

from __future__ import annotations

import textwrap
from pathlib import Path

CLUSTER = """\
apiVersion: kubean.io/v1alpha1
kind: Cluster
metadata:
  name: cluster1
  labels:
    clusterName: cluster1
spec:
  hostsConfRef:
    namespace: kubean-system
    name: cluster1-hosts-conf
  varsConfRef:
    namespace: kubean-system
    name: cluster1-vars-conf
"""
HOSTS_YML = """\
all:
  hosts:
    node1:
      ip: 192.0.2.1
      ansible_host: 192.0.2.1
    node2:
      ip: 192.0.2.2
      ansible_host: 192.0.2.2
      kubelet_status_update_frequency: 4s
  children:
    kube_control_plane:
      hosts:
        node1:
    kube_node:
      hosts:
        node1:
        node2:
    etcd:
      hosts:
        node1:
    k8s_cluster:
      children:
        kube_control_plane:
        kube_node:
    calico_rr:
      hosts: {}
"""
GROUP_VARS_YML = """\
container_manager: containerd
kube_network_plugin: calico
kube_controller_node_monitor_grace_period: 20s
kube_apiserver_pod_eviction_not_ready_timeout_seconds: 30
kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30
"""


def _configmap(name: str, key: str, text: str) -> str:
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        f"  name: {name}\n  namespace: kubean-system\ndata:\n  {key}: |\n"
        + textwrap.indent(text, "    ")
    )


HOSTS_CM = _configmap("cluster1-hosts-conf", "hosts.yml", HOSTS_YML)
VARS_CM = _configmap("cluster1-vars-conf", "group_vars.yml", GROUP_VARS_YML)


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _grace(findings: list[dict[str, object]]) -> list[dict[str, object]]:
    return [f for f in findings if f["rule"] == "grace-vs-heartbeat"]


def _three_files(root: Path) -> Path:
    d = root / "cluster1"
    d.mkdir()
    (d / "Cluster.yml").write_text(CLUSTER)
    (d / "HostsConfCM.yml").write_text(HOSTS_CM)
    (d / "VarsConfCM.yml").write_text(VARS_CM)
    return d


def test_a_directory_with_the_cluster_and_its_configmaps(cli, tmp_path: Path) -> None:
    d = _three_files(tmp_path)
    r = cli("lint", "cluster1", "-f", "json", cwd=tmp_path)
    assert r.code == 0, r.err  # warnings: grace 20s is 2 lease renewals of 10s
    assert "Kubean Cluster cluster1: hosts.yml of ConfigMap cluster1-hosts-conf as the " in r.err
    grace = _grace(r.json())
    vars_line = _line_of(d / "VarsConfCM.yml", "kube_controller_node_monitor_grace_period")
    assert {(f["path"], f["line"]) for f in grace} >= {("cluster1/VarsConfCM.yml", vars_line)}
    assert all("grace 20s" in str(f["message"]) for f in grace)
    assert not any("40s" in str(f["message"]) for f in r.json())
    # a host variable in the hosts ConfigMap is found at its line in that manifest
    host_line = _line_of(d / "HostsConfCM.yml", "kubelet_status_update_frequency")
    assert ("cluster1/HostsConfCM.yml", host_line) in {(f["path"], f["line"]) for f in r.json()}
    assert "yaml-load" not in {f["rule"] for f in r.json()}
    # the Cluster manifest names the same layout
    manifest = cli("lint", "cluster1/Cluster.yml", "-f", "json", cwd=tmp_path)
    assert manifest.code == 0 and _grace(manifest.json()) == grace


def test_all_in_one_manifest(cli, tmp_path: Path) -> None:
    one = tmp_path / "AllInOne.yml"
    one.write_text("---\n" + HOSTS_CM + "\n---\n" + VARS_CM + "\n---\n" + CLUSTER)
    r = cli("lint", str(one), "-f", "json")
    grace = _grace(r.json())
    line = _line_of(one, "kube_controller_node_monitor_grace_period")
    assert grace and {(f["line"], f["column"]) for f in grace} == {(line, 48)}


def test_the_configmaps_without_the_cluster(cli, tmp_path: Path) -> None:
    d = _three_files(tmp_path)
    (d / "Cluster.yml").unlink()
    r = cli("lint", str(d), "-f", "json")
    assert _grace(r.json()) and "Kubean ConfigMaps" in r.err


def test_the_mounted_pair(cli, tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "hosts.yml").write_text(HOSTS_YML)
    (conf / "group_vars.yml").write_text(GROUP_VARS_YML)
    r = cli("lint", "conf", "-f", "json", cwd=tmp_path)
    assert (
        "Kubean's mounted layout: hosts.yml as the inventory, group_vars.yml as extra vars" in r.err
    )
    assert "yaml-load" not in {f["rule"] for f in r.json()}
    grace = _grace(r.json())
    assert grace and {(f["path"], f["line"]) for f in grace} >= {("conf/group_vars.yml", 3)}
    explain = cli("explain", "conf", "--format", "json", cwd=tmp_path)
    groups = explain.json()["groups"]
    assert {
        g["settings"]["controller_manager.node_monitor_grace_period"]["value"] for g in groups
    } == {"20s"}


def test_fix_leaves_the_manifests_alone(cli, tmp_path: Path) -> None:
    d = _three_files(tmp_path)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    r = cli("fix", str(d))
    assert "not fixed (edit the manifests)" in r.err
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before


def test_two_clusters_say_which_to_pick(cli, tmp_path: Path) -> None:
    d = _three_files(tmp_path)
    (d / "Other.yml").write_text(CLUSTER.replace("name: cluster1\n", "name: cluster2\n", 1))
    r = cli("lint", str(d))
    assert (
        r.code == 5 and "2 Kubean clusters (cluster1, cluster2): lint the manifest of one" in r.err
    )
