"""From findings to edits: the edit-planning primitives every rule's repair uses, and where they go.

A rule's repair lives in its rule module (``repair(plan, finding)``, found through the rule
registry); this module holds what the repairs share. An edit names a variable by the file and line
the loader found it on (``Op.file``/``Op.line``), so the same plan works for YAML vars files, YAML
inventories and INI inventories. Every rule's repair is planned for each group of hosts the finding
covers; the groups may read the same dict (one edit) or different ones (one edit each: Ansible
replaces dicts, so every dict that wins for some host needs the change). A change two groups want
differently is ambiguous and is not made.

Rule modules import this module for type annotations only, and reach its helpers through the
``Planner`` they are given; the engine, not this module, looks a rule's repair up in the registry,
so nothing here is imported by a rule at run time and there is no import cycle.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from node_timing.evaluate.host_timing import HostTiming
from node_timing.evaluate.sources import EXTRA_ARG, VARIABLE, Source
from node_timing.findings import Finding

# extra vars (``-e``) outrank everything and are never edited: no inventory edit can win over them
RANK = {"inventory-group": 0, "group_vars": 1, "inventory-host": 2, "host_vars": 3, "extra_vars": 4}


@dataclass(frozen=True)
class Op:
    """One change to one variable of one file.

    action: ``set`` (the variable, or ``key`` of the dict variable, to ``value``), ``delete``
    (the variable or its ``key``), ``rename`` (dict ``key`` to ``new_key`` with ``value``),
    ``add_var`` (new variable ``key`` = ``value`` right after variable ``var``, or at the end of
    the file when ``line`` is 0).
    """

    action: str
    file: str
    line: int
    var: str
    key: str | None = None
    value: Any = None
    new_key: str | None = None
    rule: str = ""

    def address(self) -> tuple[Any, ...]:
        if self.action == "add_var":
            return (self.file, "var", self.key)
        return (self.file, self.line, self.var, self.key)

    def written(self) -> tuple[Any, ...] | None:
        """The key this op writes (a rename writes its new key), None for a delete: two ops of
        different rules writing one key would write it twice (a duplicate YAML key)."""
        if self.action == "add_var":
            return (self.file, "var", self.key)
        if self.action == "rename":
            return (self.file, self.line, self.var, self.new_key)
        if self.action == "set":
            return (self.file, self.line, self.var, self.key)
        return None

    def ident(self) -> tuple[Any, ...]:
        if self.action == "add_var":  # the same new variable, wherever it was to go
            return (self.action, self.file, self.key, repr(self.value))
        return (
            self.action,
            self.file,
            self.line,
            self.var,
            self.key,
            repr(self.value),
            self.new_key,
        )


@dataclass
class Planner:
    ctx: Any  # LintContext
    default_file: str
    # per list of groups: host -> positions of the groups holding it (built once per list)
    _index: dict[int, tuple[object, list[HostTiming], dict[str, list[int]]]] = field(
        default_factory=dict, init=False, repr=False
    )
    # state a rule's repairs share within one fix run (rule id -> its own object)
    state: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    # per variable: where each group's winning value is -> the hosts reading it
    _read_by: dict[str, dict[tuple[Any, ...], set[str]]] = field(
        default_factory=dict, init=False, repr=False
    )

    def groups_of(
        self, finding: Finding, groups: Iterable[HostTiming] | None = None
    ) -> list[HostTiming]:
        """The groups (in their order) holding any of the finding's hosts: looked up in an index
        of host to groups, so planning stays linear when every host is a group of its own."""
        pool = groups or self.ctx.groups
        cached = self._index.get(id(pool))
        if cached is None or cached[0] is not pool:
            listed = list(pool)
            index: dict[str, list[int]] = {}
            for position, g in enumerate(listed):
                for host in g.hosts:
                    index.setdefault(host, []).append(position)
            cached = self._index[id(pool)] = (pool, listed, index)
        _pool, listed, index = cached
        found = sorted({p for host in finding.hosts for p in index.get(host, ())})
        return [listed[p] for p in found]

    def sources_at(self, finding: Finding) -> Iterator[tuple[HostTiming, Source]]:
        for g in self.groups_of(finding):
            for found in g.sources.values():
                for s in found:
                    loc = s.location
                    if (loc.path, loc.line, loc.column) == (
                        finding.path,
                        finding.line,
                        finding.column,
                    ):
                        yield g, s

    def target(self, source: Source, group: HostTiming) -> tuple[Any, str, str | None] | None:
        """(loader Value, variable, dict key) that ``source`` was read from."""
        if source.kind == VARIABLE:
            v = group.variables.get(source.name)
            return (v, source.name, None) if v is not None else None
        if source.kind == EXTRA_ARG:
            var, _, key = source.name.partition(".")
            v = group.variables.get(var)
            return (v, var, key) if v is not None else None
        return None

    @staticmethod
    def op(action: str, holder: Any, var: str, key: str | None = None, **kw: Any) -> Op:
        """An op on variable ``var`` as the loader Value ``holder`` places it."""
        return Op(action, str(holder.path), int(holder.line), var, key, **kw)

    def new_var(self, var: str, value: Any) -> Op:
        """A new variable for every cluster host, at the end of the default vars file."""
        return Op("add_var", self.default_file, 0, "", var, value)

    def place_variable(
        self,
        g: HostTiming,
        var: str,
        value: Any,
        near: Any,
        near_var: str,
        hosts: Collection[str] | None = None,
    ) -> list[Op] | None:
        """Set ``var`` for the hosts that read ``near``: in place when it is in the same file,
        else right after ``near_var``; None when another file would still override it, or when
        the edit would also change what runs on a host outside ``hosts`` (a group_vars value
        another host reads while its own extra-args dict does not repeat the setting)."""
        current = g.variables.get(var)
        if current is not None and current.path == near.path:
            if hosts is not None and not self._readers(var, current) <= set(hosts):
                return None
            return [self.op("set", current, var, value=value)]
        if current is not None and _rank(current) > _rank(near):
            return None
        if current is not None and _rank(current) == _rank(near) and current.group != near.group:
            return None
        if hosts is not None and not self._newly_reading(var, near, near_var) <= set(hosts):
            return None
        return [self.op("add_var", near, near_var, var, value=value)]

    def _readers(self, var: str, value: Any) -> set[str]:
        """Hosts whose winning ``var`` is ``value`` (indexed once per variable)."""
        index = self._read_by.get(var)
        if index is None:
            index = self._read_by[var] = {}
            for group in self.ctx.groups:
                found = group.variables.get(var)
                if found is not None:
                    index.setdefault(_place(found), set()).update(group.hosts)
        return index.get(_place(value), set())

    def _newly_reading(self, var: str, near: Any, near_var: str) -> set[str]:
        """Hosts that would read ``var`` if it were added beside ``near`` (``near_var``'s value):
        the hosts its file applies to whose own ``var`` does not outrank it."""
        applies = set(self._readers(near_var, near))
        group = getattr(near, "group", None)
        inventory = getattr(self.ctx, "inventory", None)
        if group and inventory is not None:
            applies |= set(inventory.group_hosts(group))
        out: set[str] = set()
        for g in self.ctx.groups:
            if not applies.intersection(g.hosts):
                continue
            current = g.variables.get(var)
            if current is None or _rank(current) < _rank(near):
                out.update(h for h in g.hosts if h in applies)
        return out


def _place(value: Any) -> tuple[Any, ...]:
    return (getattr(value, "path", None), getattr(value, "line", 0), getattr(value, "column", 0))


def _rank(value: Any) -> int:
    kind = getattr(value, "source_kind", "inventory")
    if kind == "inventory":
        return RANK["inventory-group"] if getattr(value, "group", None) else RANK["inventory-host"]
    return RANK.get(kind, 0)


def resolve_conflicts(
    ops: Iterable[Op], rank: Callable[[str], int] | None = None
) -> tuple[list[Op], list[Op]]:
    """Drop repeated ops; when ops disagree on one place, keep the earliest rule's, and drop a
    rule's own disagreeing ops altogether (different hosts want different things). Ops of
    another rule that would write a key already written wait for the next pass."""
    by_address: dict[tuple[Any, ...], list[Op]] = {}
    for op in ops:
        bucket = by_address.setdefault(op.address(), [])
        if all(o.ident() != op.ident() for o in bucket):
            bucket.append(op)
    kept: list[Op] = []
    dropped: list[Op] = []
    for bucket in by_address.values():
        first_rule = bucket[0].rule
        same_rule = [o for o in bucket if o.rule == first_rule]
        if len(same_rule) > 1:
            dropped.extend(bucket)
            continue
        kept.append(bucket[0])
        dropped.extend(o for o in bucket[1:] if o.rule == first_rule)
    # A key is written once: when a rename of one rule and a set of another (or two renames)
    # write the same key, the first rule's op (by ``rank``: the catalogue's order, where a
    # misplaced key's rename comes before a repair that adds the key) stays, and every op of the
    # later rule waits for the next pass, which plans it again against the edited file.
    writer: dict[tuple[Any, ...], str] = {}
    later: set[str] = set()
    for op in sorted(kept, key=lambda o: rank(o.rule) if rank else 0):
        w = op.written()
        if w is None:
            continue
        if w in writer and writer[w] != op.rule:
            later.add(op.rule)
        else:
            writer.setdefault(w, op.rule)
    return [o for o in kept if o.rule not in later], dropped


def default_vars_file(base: str) -> str:
    """Where new variables for every cluster host go: kubespray's k8s_cluster group_vars.

    When ``group_vars/k8s_cluster`` is a file rather than a directory, that file: creating the
    directory beside it would make Ansible read the directory instead of the file.
    """
    gdir = os.path.join(base, "group_vars")
    as_dir = os.path.join(gdir, "k8s_cluster")
    if os.path.isdir(as_dir):
        return os.path.join(as_dir, "node-timing.yml")
    for ext in (".yml", ".yaml"):
        candidate = as_dir + ext
        if os.path.isfile(candidate):
            return candidate
    return os.path.join(as_dir, "node-timing.yml")
