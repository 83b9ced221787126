"""A loaded inventory: hosts, groups and each host's effective variables, as Ansible computes them.

Precedence, low to high (ansible-core's VariableManager with the default VARIABLE_PRECEDENCE):
inventory ``all`` vars < inventory group vars (groups sorted by depth, priority, name) <
``group_vars/all`` < ``group_vars/<group>`` (same order) < inventory host vars <
``host_vars/<host>`` < extra vars (``-e``). Each layer replaces whole top-level keys; dicts are
not merged.
"""

from __future__ import annotations

from typing import Any

from node_timing.inventory.builder import Builder
from node_timing.inventory.model import Group, LoadProblem, Value


class Inventory:
    """Hosts, groups and effective variables of an inventory, each value with its origin."""

    def __init__(
        self,
        builder: Builder,
        sources: list[str],
        files: list[str],
        group_files: dict[str, dict[str, Value]],
        host_files: dict[str, dict[str, Value]],
        used_ansible: bool = False,
        fixed_vars: dict[str, dict[str, Value]] | None = None,
        basedir: str = "",
        extra_vars: dict[str, Value] | None = None,
    ) -> None:
        self._b = builder
        self.hosts: list[str] = list(builder.hosts)
        self.groups: dict[str, Group] = builder.groups
        self.problems: list[LoadProblem] = builder.problems
        self.sources = sources
        self.files = files
        self.used_ansible = used_ansible
        # the directory holding group_vars/ and host_vars/ (a repository root given for its one
        # inventory/<name>/ stands for that directory)
        self.basedir = basedir
        self._group_files = group_files
        self._host_files = host_files
        self._fixed = fixed_vars
        # ``-e``: above everything, for every host
        self.extra_vars: dict[str, Value] = extra_vars or {}
        # a layout read in place of an inventory (Kubean's), said on stderr
        self.layout: str | None = None
        self._ancestors: dict[str, frozenset[str]] = {}
        self._layer_cache: dict[tuple[str, ...], dict[str, Value]] = {}
        self._host_cache: dict[str, dict[str, Value]] = {}
        self._groups_cache: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return f"<Inventory {len(self.hosts)} hosts, {len(self.groups)} groups>"

    def _ancestors_of(self, group: str) -> frozenset[str]:
        got = self._ancestors.get(group)
        if got is None:
            # iterative: a chain of thousands of nested groups must not hit the recursion limit
            acc: set[str] = set()
            todo = list(self.groups[group].parents)
            while todo:
                p = todo.pop()
                if p not in acc:
                    acc.add(p)
                    todo.extend(self.groups[p].parents)
            got = self._ancestors[group] = frozenset(acc)
        return got

    def host_groups(self, host: str) -> list[str]:
        """Every group of the host (direct and inherited) except ``all``, in precedence order."""
        return list(self._groups_of(host))

    def _groups_of(self, host: str) -> tuple[str, ...]:
        # Hosts with the same direct groups share the answer (thousands of workers, one layout).
        direct = tuple(self._b.host_groups.get(host, ()))
        got = self._groups_cache.get(direct)
        if got is None:
            names: set[str] = set()
            for g in direct:
                names.add(g)
                names |= self._ancestors_of(g)
            names.discard("all")
            got = tuple(
                sorted(names, key=lambda n: (self.groups[n].depth, self.groups[n].priority, n))
            )
            self._groups_cache[direct] = got
        return got

    def group_hosts(self, name: str) -> list[str]:
        """All hosts of a group including its descendants (Ansible's Group.get_hosts)."""
        if name not in self.groups:
            return []
        seen: dict[str, None] = {}
        for g in self._b.descendants(name):
            for h in self.groups[g].hosts:
                seen.setdefault(h, None)
        return list(seen)

    def _group_layers(self, groups: tuple[str, ...]) -> dict[str, Value]:
        got = self._layer_cache.get(groups)
        if got is None:
            gv = self._b.group_vars
            got = dict(gv.get("all", {}))
            for g in groups:
                got.update(gv.get(g, {}))
            got.update(self._group_files.get("all", {}))
            for g in groups:
                got.update(self._group_files.get(g, {}))
            got.update(self.extra_vars)
            self._layer_cache[groups] = got
        return got

    def host_vars_parts(
        self, host: str
    ) -> tuple[tuple[str, ...], dict[str, Value], dict[str, Value]]:
        """``(layout, shared, own)``: ``host_vars(host)`` is ``shared`` updated with ``own``.

        ``shared`` holds the group-level variables and is the same dict for every host with the
        same ``layout`` (its groups), so callers can do per-layout work once; ``own`` is what the
        host sets itself (inline and host_vars files). Both must not be modified.
        """
        if self._fixed is not None:
            return ("host", host), self.host_vars(host), {}
        if host not in self._b.hosts:
            raise KeyError(host)
        layout = self._groups_of(host)
        own = self._b.host_vars.get(host)
        files = self._host_files.get(host)
        if own and files:
            own = {**own, **files}
        own = own or files or {}
        if self.extra_vars and any(k in self.extra_vars for k in own):
            # the shared layer ends with the extra vars: what the host sets under them loses
            own = {k: v for k, v in own.items() if k not in self.extra_vars}
        return layout, self._group_layers(layout), own

    def host_vars(self, host: str) -> dict[str, Value]:
        """Effective variables of a host with Ansible's precedence (a fresh dict each call)."""
        if self._fixed is not None:
            return {**self._fixed.get(host, {}), **self.extra_vars}
        got = self._host_cache.get(host)
        if got is None:
            if host not in self._b.hosts:
                raise KeyError(host)
            got = dict(self._group_layers(self._groups_of(host)))
            got.update(self._b.host_vars.get(host, {}))
            got.update(self._host_files.get(host, {}))
            got.update(self.extra_vars)
            self._host_cache[host] = got
        return dict(got)

    def plain_host_vars(self, host: str) -> dict[str, Any]:
        return {k: v.value for k, v in self.host_vars(host).items()}


__all__ = ["Inventory"]
