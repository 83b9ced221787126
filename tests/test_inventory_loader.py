"""Unit tests of the inventory loader: positions, noqa, problems, kubespray's k8s_cluster."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from node_timing.inventory import InventoryError, VaultValue, load_inventory, parse_noqa


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def kubespray(tmp_path: Path) -> Path:
    write(
        tmp_path / "inventory.ini",
        "[kube_control_plane]\ncp1 ansible_host=10.0.0.1  kube_version=1.33  # noqa: kube-version\n"
        "[etcd]\ncp1\n[kube_node]\nnode[1:3]\n[calico_rr]\n\n"
        "[kube_node:vars]\nkubelet_status_update_frequency = 20s\n",
    )
    write(
        tmp_path / "group_vars/k8s_cluster/k8s-cluster.yml",
        "---\nkube_controller_node_monitor_grace_period: 40s  # noqa: grace-vs-heartbeat\n"
        "kubelet_config_extra_args:\n  nodeLeaseDurationSeconds: 30  # noqa\n"
        "  nodeStatusReportFrequency: 1m\n",
    )
    write(tmp_path / "group_vars/all/all.yml", "kube_version: v1.32.1\n")
    write(tmp_path / "host_vars/node2.yml", "kubelet_status_update_frequency: 4s\n")
    return tmp_path


def test_kubespray_dir_with_ini(kubespray: Path) -> None:
    inv = load_inventory(kubespray)
    assert inv.hosts == ["cp1", "node1", "node2", "node3"]
    assert inv.sources == [str(kubespray / "inventory.ini")]
    assert not inv.problems  # kubespray's layout: inventory.ini read without a notice
    k8s = inv.groups["k8s_cluster"]
    assert k8s.synthesized
    assert set(inv.group_hosts("k8s_cluster")) == {"cp1", "node1", "node2", "node3"}
    grace = inv.host_vars("node1")["kube_controller_node_monitor_grace_period"]
    assert (grace.path, grace.line, grace.column) == (
        str(kubespray / "group_vars/k8s_cluster/k8s-cluster.yml"),
        2,
        44,
    )
    assert grace.source_kind == "group_vars" and grace.group == "k8s_cluster"
    assert grace.noqa == {"grace-vs-heartbeat"}
    extra = inv.host_vars("node1")["kubelet_config_extra_args"]
    assert extra.value == {"nodeLeaseDurationSeconds": 30, "nodeStatusReportFrequency": "1m"}
    assert (extra.line, extra.column) == (3, 1)
    assert extra.key_positions == {
        "nodeLeaseDurationSeconds": (4, 3),
        "nodeStatusReportFrequency": (5, 3),
    }
    assert extra.key_noqa == {"nodeLeaseDurationSeconds": frozenset({"*"})}
    assert extra.suppressed("anything", key="nodeLeaseDurationSeconds")
    assert not extra.suppressed("anything", key="nodeStatusReportFrequency")
    # [kube_node:vars] loses to nothing here; host_vars beat it for node2
    freq1 = inv.host_vars("node1")["kubelet_status_update_frequency"]
    assert (freq1.value, freq1.line, freq1.column, freq1.group) == ("20s", 10, 35, "kube_node")
    freq2 = inv.host_vars("node2")["kubelet_status_update_frequency"]
    assert (freq2.value, freq2.source_kind, freq2.line) == ("4s", "host_vars", 1)
    # inline host var beats group_vars/all; position of the key=value token
    kv = inv.host_vars("cp1")["kube_version"]
    assert (kv.value, kv.line, kv.column) == (1.33, 2, 28)
    assert kv.noqa == {"kube-version"}
    assert inv.host_vars("node1")["kube_version"].value == "v1.32.1"
    assert str(kubespray / "group_vars/all/all.yml") in inv.files


def test_inventory_vars_lose_to_group_vars_all(tmp_path: Path) -> None:
    write(
        tmp_path / "hosts.yaml",
        "all:\n  children:\n    k8s_cluster:\n      hosts:\n        n1:\n"
        "      vars:\n        x: inventory\n        y: {a: 1}\n",
    )
    write(tmp_path / "group_vars/all.yml", "x: all-file\n")
    inv = load_inventory(tmp_path / "hosts.yaml")
    x = inv.host_vars("n1")["x"]
    assert (x.value, x.source_kind) == ("all-file", "group_vars")
    y = inv.host_vars("n1")["y"]
    assert (y.line, y.column, y.source_kind, y.group) == (8, 12, "inventory", "k8s_cluster")
    assert y.key_positions == {"a": (8, 13)}
    assert not inv.groups["k8s_cluster"].synthesized


def test_group_vars_dir_later_file_wins_and_dict_replaces(tmp_path: Path) -> None:
    write(tmp_path / "hosts", "[g]\nh\n")
    write(tmp_path / "group_vars/g/01.yml", "d: {a: 1, b: 2}\ns: one\n")
    write(tmp_path / "group_vars/g/02.yml", "d:\n  c: 3\n")
    write(tmp_path / "group_vars/g/03.yml~", "s: backup\n")
    inv = load_inventory(tmp_path)
    hv = inv.host_vars("h")
    assert hv["d"].value == {"c": 3}
    assert hv["d"].path.endswith("02.yml")
    assert hv["s"].value == "one"


def test_duplicate_keys_last_wins(tmp_path: Path) -> None:
    write(tmp_path / "hosts", "h\n")
    write(tmp_path / "group_vars/all.yml", "a: 1\nb: 2\na: 3\nd:\n  k: 1\n  k: 2\n")
    inv = load_inventory(tmp_path / "hosts")
    assert inv.host_vars("h")["a"].value == 3
    assert inv.host_vars("h")["d"].value == {"k": 2}
    dups = [(p.line, p.column, p.kind) for p in inv.problems]
    assert (3, 1, "yaml-load") in dups and (6, 3, "yaml-load") in dups


def test_broken_yaml_is_a_problem_with_position(tmp_path: Path) -> None:
    write(tmp_path / "hosts", "h\n")
    write(tmp_path / "group_vars/all.yml", "ok: 1\nbad: [1, 2\nmore: 3\n")
    write(tmp_path / "host_vars/h.yml", "---\na: 1\n---\nb: 2\n")
    inv = load_inventory(tmp_path / "hosts")
    assert inv.host_vars("h") == {}
    probs = {Path(p.path).name: p for p in inv.problems}
    assert probs["all.yml"].kind == "yaml-load" and probs["all.yml"].line >= 2
    assert probs["h.yml"].kind == "yaml-load" and probs["h.yml"].line == 3


def test_vault_file_and_inline_vault(tmp_path: Path) -> None:
    write(tmp_path / "hosts", "h\n")
    write(tmp_path / "group_vars/all/secret.yml", "$ANSIBLE_VAULT;1.1;AES256\n6162\n")
    write(
        tmp_path / "group_vars/all/vars.yml",
        "pw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3132\nraw: !unsafe '{{ x }}'\nt: '{{ y }}'\n",
    )
    inv = load_inventory(tmp_path / "hosts")
    vault = [p for p in inv.problems if p.kind == "vault"]
    assert vault and vault[0].severity == "info"
    hv = inv.host_vars("h")
    assert hv["pw"].vault and isinstance(hv["pw"].value, VaultValue)
    assert hv["raw"].value == "{{ x }}" and not hv["raw"].templated  # !unsafe: never templated
    assert hv["t"].templated


def test_empty_files(tmp_path: Path) -> None:
    write(tmp_path / "hosts.yml", "all:\n  hosts:\n    h:\n")
    write(tmp_path / "group_vars/all.yml", "")
    write(tmp_path / "host_vars/h.yml", "---\n# nothing\n")
    inv = load_inventory(tmp_path)
    assert inv.hosts == ["h"] and inv.host_vars("h") == {} and inv.problems == []
    assert inv.group_hosts("ungrouped") == ["h"]


def test_bad_input_never_raises(tmp_path: Path) -> None:
    write(tmp_path / "hosts", "[g]\nh a=1\r\n\tb c=2\n")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/all.yml").write_bytes(b"x: \xff\xfe\n")
    (tmp_path / "group_vars/g.yml").mkdir()
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars/h.yml").write_bytes(b"\xef\xbb\xbfy: 1\r\n")
    os.symlink(tmp_path, tmp_path / "loop")
    inv = load_inventory(tmp_path)
    assert inv.hosts == ["h", "b"]
    assert inv.host_vars("h")["y"].value == 1
    assert any("UTF-8" in p.message for p in inv.problems)


def test_missing_or_empty_path(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="no such file"):
        load_inventory(tmp_path / "nope")
    with pytest.raises(InventoryError, match="no inventory"):
        load_inventory(tmp_path)


def test_ini_errors_are_problems(tmp_path: Path) -> None:
    write(tmp_path / "hosts.yml", "all:\n  hosts:\n    ok:\n")
    write(tmp_path / "b", "[g:children]\nmissing\n")
    inv = load_inventory(tmp_path)
    assert inv.hosts == ["ok"]
    assert [(Path(p.path).name, p.line) for p in inv.problems] == [("b", 2)]


def test_ranges_ports_and_priority(tmp_path: Path) -> None:
    write(
        tmp_path / "hosts",
        "[a]\nn[01:03]:2222\nx[a:c]\n[b]\nn01\n[a:vars]\np=a\nansible_group_priority=5\n[b:vars]\np=b\n",
    )
    inv = load_inventory(tmp_path / "hosts")
    assert inv.group_hosts("a") == ["n01", "n02", "n03", "xa", "xb", "xc"]
    assert inv.host_vars("n02")["ansible_port"].value == 2222
    assert inv.host_vars("n01")["p"].value == "a"  # priority 5 sorts a after b
    assert "ansible_group_priority" not in inv.host_vars("n01")


@pytest.mark.parametrize(
    ("line", "ids"),
    [
        ("a: 1  # noqa", {"*"}),
        ("a: 1  # noqa: x-y, z", {"x-y", "z"}),
        ("a: 1 #noqa:x", {"x"}),
        ("a: 1", set()),
        ("a: 1  # NOQA: r[sub]", {"r[sub]"}),
    ],
)
def test_parse_noqa(line: str, ids: set[str]) -> None:
    assert parse_noqa(line) == ids


def test_plugin_config_is_not_run_without_the_opt_in(tmp_path: Path) -> None:
    write(tmp_path / "inv.yml", "plugin: ansible.builtin.constructed\n")
    write(tmp_path / "hosts", "h v=1\n")
    inv = load_inventory(tmp_path)
    assert not inv.used_ansible
    assert inv.host_vars("h")["v"].line == 1
    (skipped,) = [p for p in inv.problems if p.kind == "not-executed"]
    assert skipped.path == str(tmp_path / "inv.yml") and "--allow-exec" in skipped.message


def test_plugin_config_falls_back_to_ansible_with_the_opt_in(tmp_path: Path) -> None:
    write(tmp_path / "inv.yml", "plugin: ansible.builtin.constructed\n")
    write(tmp_path / "hosts", "h v=1\n")
    inv = load_inventory(tmp_path, allow_exec=True)
    assert inv.used_ansible
    assert inv.host_vars("h")["v"].value == 1 and inv.host_vars("h")["v"].line == 0
