"""Random inventories loaded by node-timing and by the real ansible-inventory must agree."""

from __future__ import annotations

import json
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from playbook_runner import ansible_bin, play, run_playbook, write_project

from node_timing.inventory import load_inventory

ANSIBLE_INVENTORY = ansible_bin() / "ansible-inventory"
COUNT = 48


KEYS = [f"v{i}" for i in range(6)] + ["kubelet_config_extra_args"]


def _rand_value(rng: random.Random, tag: str) -> Any:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.randrange(100)
    if kind == 1:
        return f"s-{tag}"
    if kind == 2:
        return rng.choice([True, False])
    if kind == 3:
        return {f"k{rng.randrange(3)}": tag, "from": tag}
    return [tag, rng.randrange(9)]


def _ini_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return repr(value).replace(" ", "")


def _rand_vars(rng: random.Random, tag: str, n: int = 3) -> dict[str, Any]:
    return {k: _rand_value(rng, tag) for k in rng.sample(KEYS, rng.randrange(n + 1))}


def _write_vars(rng: random.Random, base: Path, name: str, tag: str) -> None:
    """A vars file in one of Ansible's forms: NAME, NAME.yml, NAME.yaml, NAME.json or a dir."""
    form = rng.randrange(5)
    if form == 4:
        d = base / name
        d.mkdir(parents=True)
        for i in range(rng.randrange(1, 4)):
            sub = d / f"{i:02d}-part.yml" if i != 2 else d / "zz"
            sub.write_text(yaml.safe_dump(_rand_vars(rng, f"{tag}/{i}", 4)))
        if rng.random() < 0.3:
            (d / "ignored.txt").write_text("v0: ignored\n")
        return
    base.mkdir(parents=True, exist_ok=True)
    data = _rand_vars(rng, tag, 4)
    if form == 3:
        (base / f"{name}.json").write_text(json.dumps(data))
    else:
        (base / (name + ["", ".yml", ".yaml"][form])).write_text(yaml.safe_dump(data))


def _generate(seed: int, root: Path) -> tuple[Path, str]:
    rng = random.Random(seed)
    fmt = "ini" if seed % 2 == 0 else "yaml"
    ngroups = rng.randrange(3, 9)
    groups = [f"g{i}" for i in range(ngroups)]
    # children only point to groups with a higher index: a DAG several levels deep
    children = {
        g: sorted({groups[j] for j in range(i + 1, ngroups) if rng.random() < 0.3})
        for i, g in enumerate(groups)
    }
    hosts = [f"h{i:02d}" for i in range(rng.randrange(3, 12))]
    members = {g: sorted(rng.sample(hosts, rng.randrange(0, min(4, len(hosts))))) for g in groups}
    group_vars = {g: _rand_vars(rng, f"inv-{g}") for g in groups}
    for g in groups:
        if rng.random() < 0.3:
            group_vars[g]["ansible_group_priority"] = rng.randrange(1, 4)
    all_vars = _rand_vars(rng, "inv-all")
    host_inline = {h: _rand_vars(rng, f"inv-{h}", 2) for h in hosts}
    ranged = rng.random() < 0.5
    ungrouped = [h for h in hosts if rng.random() < 0.2]
    inv_dir = root / f"inv{seed}"
    inv_dir.mkdir()
    if fmt == "ini":
        lines: list[str] = [*ungrouped]
        if ranged:
            lines += ["[rng]", "r[01:03] v1=7", "x[a:c]"]
        lines += ["[all:vars]"] + [f"{k}={_ini_value(v)}" for k, v in all_vars.items()]
        for g in groups:
            lines.append(f"[{g}]")
            for h in members[g]:
                inline = " ".join(f"{k}={_ini_value(v)}" for k, v in host_inline[h].items())
                lines.append(f"{h} {inline}".strip())
            if children[g]:
                lines.append(f"[{g}:children]")
                lines += children[g]
            if group_vars[g]:
                lines.append(f"[{g}:vars]")
                lines += [f"{k} = {_ini_value(v)}" for k, v in group_vars[g].items()]
        source = inv_dir / "hosts"
        source.write_text("\n".join(lines) + "\n")
    else:

        def node(g: str) -> dict[str, Any]:
            out: dict[str, Any] = {}
            if members[g]:
                out["hosts"] = {h: host_inline[h] or None for h in members[g]}
            if children[g]:
                out["children"] = {c: node(c) for c in children[g]}
            if group_vars[g]:
                out["vars"] = group_vars[g]
            return out

        top: dict[str, Any] = {"all": {"vars": all_vars, "children": {}}}
        if ungrouped:
            top["all"]["hosts"] = {h: None for h in ungrouped}
        if ranged:
            top["all"]["children"]["rng"] = {"hosts": {"r[01:03]": {"v1": 7}, "x[a:c]": None}}
        for g in groups:
            top["all"]["children"][g] = node(g)
        source = inv_dir / "hosts.yml"
        source.write_text(yaml.safe_dump(top, sort_keys=False))
    for g in ["all", *groups]:
        if rng.random() < 0.6:
            _write_vars(rng, inv_dir / "group_vars", g, f"gv-{g}")
    for h in hosts:
        if rng.random() < 0.3:
            _write_vars(rng, inv_dir / "host_vars", h, f"hv-{h}")
    target = inv_dir if rng.random() < 0.5 else source
    return target, fmt


def _ansible_list(target: Path, cwd: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(target), "--list"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "ANSIBLE_NOCOLOR": "1", "HOME": str(cwd)},
        check=True,
    )
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _ansible_group_hosts(data: dict[str, Any], group: str) -> set[str]:
    entry = data.get(group, {})
    hosts = set(entry.get("hosts", []))
    for child in entry.get("children", []):
        hosts |= _ansible_group_hosts(data, child)
    return hosts


def test_random_inventories_match_ansible(tmp_path: Path) -> None:
    cases = [_generate(seed, tmp_path) for seed in range(COUNT)]
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        expected = list(pool.map(lambda c: _ansible_list(c[0], cwd), cases))
    for (target, fmt), want in zip(cases, expected, strict=True):
        inv = load_inventory(target, synthesize_k8s_cluster=False)
        label = f"{target} ({fmt})"
        assert not [p for p in inv.problems if p.severity == "error"], label
        hostvars = want["_meta"]["hostvars"]
        assert set(inv.hosts) == set(hostvars) | _ansible_group_hosts(want, "all"), label
        for host in inv.hosts:
            ours = json.loads(json.dumps(inv.plain_host_vars(host)))
            assert ours == hostvars.get(host, {}), f"{label}: {host}"
        for group in want:
            if group == "_meta":
                continue
            assert set(inv.group_hosts(group)) == _ansible_group_hosts(want, group), (
                f"{label}: group {group}"
            )


# Inventories as kubespray's sample wrote them before 2.16: dashed group names, the children of
# [k8s-cluster:children] declared before or after it, every host under [all] with its address.
LEGACY_INI = """\
[all]
node1 ansible_host=10.0.0.1 ip=10.0.0.1
node2 ansible_host=10.0.0.2 ip=10.0.0.2
node3 ansible_host=10.0.0.3
node4 ansible_host=10.0.0.4

{before}
[etcd]
node1

[k8s-cluster:children]
kube-master
kube-node
calico-rr

{after}
"""
LEGACY_GROUPS = """\
[kube-master]
node1

[kube-node]
node2
node3
node4

[calico-rr]
"""
LEGACY_YAML = {
    "all": {
        "hosts": {"node1": {"ansible_host": "10.0.0.1"}, "node2": None, "node3": None},
        "children": {
            "kube-master": {"hosts": {"node1": None}},
            "kube-node": {"hosts": {"node2": None, "node3": None}},
            "etcd": {"hosts": {"node1": None}},
            "k8s-cluster": {"children": {"kube-master": None, "kube-node": None}},
        },
    }
}


def _legacy(root: Path) -> list[Path]:
    out = []
    for name, text in (
        ("before", LEGACY_INI.format(before=LEGACY_GROUPS, after="")),
        ("after", LEGACY_INI.format(before="", after=LEGACY_GROUPS)),
    ):
        d = root / f"legacy-{name}"
        (d / "group_vars").mkdir(parents=True)
        (d / "inventory.ini").write_text(text)
        (d / "group_vars" / "k8s-cluster.yml").write_text("kubelet_status_update_frequency: 4s\n")
        (d / "group_vars" / "all.yml").write_text("v0: all\n")
        out.append(d / "inventory.ini")
    d = root / "legacy-yaml"
    d.mkdir()
    (d / "hosts.yaml").write_text(yaml.safe_dump(LEGACY_YAML))
    out.append(d / "hosts.yaml")
    return out


def test_pre_2_16_inventories_read_as_ansible_reads_them(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    legacy = _legacy(tmp_path)
    map_to = {"kube-master": "kube_control_plane", "kube-node": "kube_node"}
    for target in legacy:
        want = _ansible_list(target, cwd)
        hostvars = want["_meta"]["hostvars"]
        as_ansible = load_inventory(target, synthesize_k8s_cluster=False)
        assert not [p for p in as_ansible.problems if p.severity == "error"], target
        assert set(as_ansible.hosts) == set(hostvars) | _ansible_group_hosts(want, "all")
        for group in want:
            if group != "_meta":
                assert set(as_ansible.group_hosts(group)) == _ansible_group_hosts(want, group)
        for host in as_ansible.hosts:
            ours = json.loads(json.dumps(as_ansible.plain_host_vars(host)))
            assert ours == hostvars.get(host, {}), f"{target}: {host}"
        # as kubespray runs it: each old group's hosts in the new group too
        kubespray = load_inventory(target)
        for old, new in map_to.items():
            assert set(kubespray.group_hosts(new)) == _ansible_group_hosts(want, old), target
        assert set(kubespray.group_hosts("k8s_cluster")) == _ansible_group_hosts(
            want, "k8s-cluster"
        )


def test_extra_vars_win_as_in_ansible_playbook(tmp_path: Path) -> None:
    names = ("a", "b", "c", "d")
    playbook, inventory = write_project(
        tmp_path,
        [play([{"name": "shown", "debug": {"msg": " ".join("{{ " + n + " }}" for n in names)}}])],
        groups={"kube_node": ["localhost"]},
        group_vars={"all": dict.fromkeys(names, "group"), "kube_node": {"d": "kube_node"}},
        host_vars={"localhost": dict.fromkeys(names[:3], "host")},
    )
    (tmp_path / "vars.yml").write_text("a: file\nb: file\n")
    extra = ["@vars.yml", "b=kv c='x y'", '{"c": "json"}']
    result = run_playbook(tmp_path, playbook, inventory, *(f"-e{e}" for e in extra))
    assert result.rc == 0, result
    shown = result.debug("shown")
    ours = load_inventory(inventory, extra_vars=[f"@{tmp_path / 'vars.yml'}", *extra[1:]])
    values = ours.plain_host_vars("localhost")
    assert shown == " ".join(str(values[n]) for n in names) == "file kv json kube_node"
