"""The role cannot import the package's data, so it writes kubespray's names again: they must be
the names ``data/kubespray.yml`` holds (the group names of its host lists, the variables it
exports to kubespray). Plain YAML reading, no Ansible."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from node_timing.knowledge import kubespray

ROLE = Path(__file__).resolve().parent.parent / "roles" / "node_timing"
# groups['name'] or 'name' in groups: how the role's templates name a group
GROUP_REF = re.compile(r"groups\[['\"]([^'\"]+)['\"]\]|['\"]([^'\"]+)['\"] in groups")


def load(relative: str) -> Any:
    return yaml.safe_load((ROLE / relative).read_text(encoding="utf-8"))


def groups_named(template: str) -> set[str]:
    return {a or b for a, b in GROUP_REF.findall(template)}


def test_cluster_hosts_are_kubespray_s_cluster_group_or_its_children() -> None:
    facts = kubespray()["groups"]
    template = load("vars/main.yml")["__node_timing_cluster_hosts"]
    assert groups_named(template) == {facts["cluster"], *facts["cluster_children"]}
    # the union is the fallback when the inventory has no k8s_cluster: every child, each once
    fallback = re.split(r"\selse\s", template, maxsplit=1)[1]
    assert sorted(groups_named(fallback)) == sorted(facts["cluster_children"])


def test_control_plane_hosts_are_kubespray_s_control_plane_group() -> None:
    template = load("vars/main.yml")["__node_timing_control_plane_hosts"]
    assert groups_named(template) == {kubespray()["groups"]["control_plane"]}


def test_the_documented_node_count_default_names_the_same_groups() -> None:
    facts = kubespray()["groups"]
    spec = load("meta/argument_specs.yml")
    options = next(iter(spec["argument_specs"].values()))["options"]
    text = " ".join(options["node_timing_node_count"]["description"])
    assert set(re.findall(r"C\(([a-z0-9_]+)\)", text)) == {
        facts["cluster"],
        *facts["cluster_children"],
    }


def test_the_exported_variables_are_kubespray_s_timing_variables() -> None:
    data = kubespray()
    expected = {*data["variables"], *data["extra_args"]}
    tasks = load("tasks/export.yml")
    setters = [
        set(t["ansible.builtin.set_fact"])
        for t in tasks
        if "ansible.builtin.set_fact" in t
        and "__node_timing_export" not in t["ansible.builtin.set_fact"]
    ]
    assert len(setters) == 2  # the shared set and the per-host set
    for names in setters:
        assert names == expected
