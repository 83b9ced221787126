"""The groups and hosts of an inventory as its sources declare them: Ansible's InventoryData,
reduced to what the linter needs, plus positions.

Both readers fill a Builder: the native one from the ops of each INI or YAML source, the
ansible-core fallback from ansible-core's own groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from node_timing.display import brief
from node_timing.inventory.ini import Op
from node_timing.inventory.model import Group, LoadProblem, Value
from node_timing.knowledge import kubespray


class Builder:
    """Ansible's InventoryData, reduced to what the linter needs, plus positions."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {"all": Group("all"), "ungrouped": Group("ungrouped")}
        self.add_child("all", "ungrouped")
        self.hosts: dict[str, None] = {}
        self.host_groups: dict[str, list[str]] = {}
        self.group_vars: dict[str, dict[str, Value]] = {}
        self.host_vars: dict[str, dict[str, Value]] = {}
        self.problems: list[LoadProblem] = []

    def add_group(self, name: str) -> None:
        if name not in self.groups:
            self.groups[name] = Group(name)

    def add_host(self, name: str, group: str | None, port: int | None, where: Value) -> None:
        if name not in self.hosts:
            self.hosts[name] = None
            self.host_groups[name] = []
            if port is not None:
                self.set_host_var(name, "ansible_port", replace(where, value=port))
        if group and group in self.groups:
            g = self.groups[group]
            if group not in self.host_groups[name]:
                g.hosts.append(name)
                self.host_groups[name].append(group)

    def add_child(self, parent: str, child: str, where: tuple[str, int] = ("", 0)) -> None:
        p = self.groups[parent]
        if child not in self.groups:
            if child in self.hosts:
                self.add_host(child, parent, None, Value(None, where[0]))
                return
            self.problems.append(
                LoadProblem(where[0], where[1], 0, f"{child} is not a known host nor group")
            )
            return
        if child in p.children:
            return
        if child == parent or parent in self.descendants(child):
            self.problems.append(
                LoadProblem(
                    where[0],
                    where[1],
                    0,
                    f"adding group {child!r} as child to {parent!r} creates a dependency loop",
                    kind="inventory",
                )
            )
            return
        p.children.append(child)
        c = self.groups[child]
        if parent not in c.parents:
            c.parents.append(parent)

    def descendants(self, name: str) -> list[str]:
        """The group and its descendants, in Ansible's breadth-first order."""
        order, seen = [name], {name}
        frontier = [name]
        while frontier:
            nxt: list[str] = []
            for g in frontier:
                for c in self.groups[g].children:
                    if c not in seen:
                        seen.add(c)
                        order.append(c)
                        nxt.append(c)
            frontier = nxt
        return order

    def set_group_var(self, group: str, key: str, value: Value) -> None:
        if key == "ansible_group_priority":
            try:
                self.groups[group].priority = int(value.value)
            except (TypeError, ValueError):
                self.problems.append(
                    LoadProblem(
                        value.path,
                        value.line,
                        value.column,
                        f"ansible_group_priority must be an integer, got {brief(value.value)}",
                        kind="inventory",
                    )
                )
            return
        self.group_vars.setdefault(group, {})[key] = value

    def set_host_var(self, host: str, key: str, value: Value) -> None:
        self.host_vars.setdefault(host, {})[key] = value

    def apply(self, ops: Iterable[Op]) -> None:
        for op in ops:
            kind = op[0]
            if kind == "group":
                self.add_group(op[1])
            elif kind == "host":
                _, name, group, port, path, line, col = op
                self.add_host(name, group, port, Value(None, path, line, col))
            elif kind == "hvar":
                self.set_host_var(op[1], op[2], op[3])
            elif kind == "gvar":
                self.set_group_var(op[1], op[2], op[3])
            elif kind == "child":
                self.add_child(op[1], op[2], op[3] if len(op) > 3 else ("", 0))

    def reconcile(self) -> None:
        """Parentless groups go under ``all``; hosts without a group into ``ungrouped``."""
        for name in list(self.groups):
            if name != "all" and not self.groups[name].parents:
                self.add_child("all", name)
        ungrouped = self.groups["ungrouped"]
        for host, direct in self.host_groups.items():
            others = [g for g in direct if g not in ("all", "ungrouped")]
            if "ungrouped" in direct and others:
                direct.remove("ungrouped")
                ungrouped.hosts.remove(host)
            elif not direct or direct == ["all"]:
                direct.append("ungrouped")
                ungrouped.hosts.append(host)
        self._depths()

    def _depths(self) -> None:
        """Depth = longest path from ``all`` (what Group.add_child_group maintains)."""
        order: list[str] = []
        indeg = {n: len(g.parents) for n, g in self.groups.items()}
        ready = [n for n, d in indeg.items() if d == 0]
        while ready:
            n = ready.pop()
            order.append(n)
            for c in self.groups[n].children:
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        for n in order:
            g = self.groups[n]
            for c in g.children:
                child = self.groups[c]
                child.depth = max(child.depth, g.depth + 1)


def add_legacy_groups(b: Builder) -> None:
    """Pre-2.16 group names (``kube-master``, ``kube-node``, ``k8s-cluster``, ...): kubespray adds
    each host of the old group to the new one at run time with ``group_by``, which makes the new
    group a child of ``all`` when the inventory lacks it. The mapping is kubespray's, from
    ``data/kubespray.yml``."""
    legacy: dict[str, str] = kubespray()["groups"]["legacy"]
    for old, new in legacy.items():
        if old not in b.groups:
            continue
        if new not in b.groups:
            b.groups[new] = Group(new, synthesized=True)
            b.add_child("all", new)
            b.groups[new].depth = 1
        group = b.groups[new]
        for g in b.descendants(old):
            for h in b.groups[g].hosts:
                if new not in b.host_groups[h]:
                    group.hosts.append(h)
                    b.host_groups[h].append(new)


def add_cluster_group(b: Builder) -> None:
    """Add kubespray's cluster group (``k8s_cluster``) when the inventory lacks it but has one of
    its children: kubespray builds it at run time from them, so many inventories never write it.
    The names are kubespray's, from ``data/kubespray.yml``."""
    names = kubespray()["groups"]
    cluster: str = names["cluster"]
    parts: list[str] = names["cluster_children"]
    if cluster in b.groups or not any(p in b.groups for p in parts):
        return
    members: dict[str, None] = {}
    for part in parts:
        if part in b.groups:
            for g in b.descendants(part):
                for h in b.groups[g].hosts:
                    members.setdefault(h, None)
    group = Group(cluster, synthesized=True)
    b.groups[cluster] = group
    b.add_child("all", cluster)
    group.depth = 1
    for h in members:
        group.hosts.append(h)
        b.host_groups[h].append(cluster)


__all__ = ["Builder", "add_cluster_group", "add_legacy_groups"]
