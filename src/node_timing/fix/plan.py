"""From findings to edits: what each fixable rule changes, and where.

An edit names a variable by the file and line the loader found it on (``Op.file``/``Op.line``), so
the same plan works for YAML vars files, YAML inventories and INI inventories. Every rule's repair
is planned for each group of hosts the finding covers; the groups may read the same dict (one
edit) or different ones (one edit each: Ansible replaces dicts, so every dict that wins for some
host needs the change). A change two groups want differently is ambiguous and is not made.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from node_timing import durations, knowledge, kubespray
from node_timing.evaluate.host_timing import HostTiming
from node_timing.evaluate.sources import EXTRA_ARG, VARIABLE, Source, plain
from node_timing.findings import Finding
from node_timing.settings import SettingError, kind_of, parse_value, to_output, to_text

REPORT = "kubelet.node_status_report_frequency"
KUBELET_ARGS = "kubelet_config_extra_args"
TOLERATIONS = (
    "kube_apiserver_pod_eviction_not_ready_timeout_seconds",
    "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
)
RANK = {"inventory-group": 0, "group_vars": 1, "inventory-host": 2, "host_vars": 3}


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

    # --------------------------------------------------------------------------- helpers

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

    # ----------------------------------------------------------------------------- rules

    def plan(self, finding: Finding) -> list[Op]:
        method = getattr(self, "fix_" + finding.rule.partition("[")[0].replace("-", "_"), None)
        if method is None or not finding.fixable:
            return []
        ops: list[Op] = method(finding)
        return [
            Op(o.action, o.file, o.line, o.var, o.key, o.value, o.new_key, finding.rule)
            for o in ops
        ]

    def fix_seconds_format(self, finding: Finding) -> list[Op]:
        ops = []
        for g, s in self.sources_at(finding):
            m = re.fullmatch(r"\s*(\d+)s?\s*", str(s.raw))
            t = self.target(s, g)
            if not m or t is None or len(m.group(1)) > 18:  # no int64: nothing to repair to
                continue
            number = int(m.group(1))
            value: Any = (
                number if s.setting == "kubelet.node_lease_duration_seconds" else str(number)
            )
            ops.append(self.op("set", t[0], t[1], t[2], value=value))
        return ops

    def fix_duration_format(self, finding: Finding) -> list[Op]:
        ops = []
        for g, s in self.sources_at(finding):
            t = self.target(s, g)
            if t is None or isinstance(s.raw, bool) or not isinstance(s.raw, int):
                continue
            if not 0 <= s.raw <= durations.MAX_SECONDS:  # no Go duration holds it: left to a human
                continue
            # The kubelet documents these fields in seconds: a bare N meant N seconds.
            ops.append(
                self.op(
                    "set", t[0], t[1], t[2], value=durations.format(durations.from_seconds(s.raw))
                )
            )
        return ops

    def fix_removed_setting(self, finding: Finding) -> list[Op]:
        name = finding.setting or ""
        var, _, key = name.partition(".")
        ops: list[Op] = []
        groups = self.groups_of(finding)
        for g in groups:
            v = g.variables.get(var)
            if v is None:
                continue
            raw = plain(v).get(key) if key and isinstance(plain(v), Mapping) else plain(v)
            ops.append(self.op("delete", v, var, key or None))
            if key and not knowledge.removed_flags().get(key.lstrip("-"), {}).get("replacement"):
                continue
            seconds = _whole_seconds(raw)
            if seconds is None:
                continue
            for tol in TOLERATIONS:
                if any(tol in x.variables for x in groups):
                    continue
                ops.append(self.op("add_var", v, var, tol, value=str(seconds)))
        return ops

    def fix_duplicate_setting(self, finding: Finding) -> list[Op]:
        var = str(finding.extra.get("variable", ""))
        ops: list[Op] = []
        for g, s in self.sources_at(finding):
            if s.kind != EXTRA_ARG:
                continue
            t = self.target(s, g)
            if t is None:
                continue
            dict_value, dict_name, key = t
            ops.append(self.op("delete", dict_value, dict_name, key))
            if finding.severity != "error":
                continue
            if not s.usable or s.value is None:
                return []
            wanted = to_text(s.setting, s.value)
            placed = self.place_variable(g, var, wanted, dict_value, dict_name)
            if placed is None:
                return []
            ops.extend(placed)
        return ops

    def place_variable(
        self, g: HostTiming, var: str, value: Any, near: Any, near_var: str
    ) -> list[Op] | None:
        """Set ``var`` for the hosts that read ``near``: in place when it is in the same file,
        else right after ``near_var``; None when another file would still override it."""
        current = g.variables.get(var)
        if current is not None and current.path == near.path:
            return [self.op("set", current, var, value=value)]
        if current is not None and _rank(current) > _rank(near):
            return None
        if current is not None and _rank(current) == _rank(near) and current.group != near.group:
            return None
        return [self.op("add_var", near, near_var, var, value=value)]

    def fix_misplaced_setting(self, finding: Finding) -> list[Op]:
        dict_name = str(finding.extra.get("dict"))
        key = str(finding.extra.get("key"))
        path = finding.setting or ""
        ops: list[Op] = []
        for g in self.groups_of(finding):
            holder = g.variables.get(dict_name)
            content = plain(holder) if holder is not None else None
            if not isinstance(content, Mapping) or key not in content:
                continue
            try:
                parsed = parse_value(path, content[key])
            except SettingError:
                return []
            if parsed is None:
                return []
            var = kubespray.variable_for(path)
            if var is not None:
                ops.append(self.op("delete", holder, dict_name, key))
                current = g.variables.get(var)
                if current is not None and _parsed(path, plain(current)) == parsed:
                    continue
                if current is not None:
                    return []  # set to another value too: which one was meant is unknown
                placed = self.place_variable(g, var, to_text(path, parsed), holder, dict_name)
                if placed is None:
                    return []
                ops.extend(placed)
                continue
            right = kubespray.extra_arg_for(path)
            if right is None:
                return []
            right_dict, right_key = right
            value = _dict_value(right_dict, path, parsed)
            if right_dict == dict_name:
                if right_key in content:
                    if _parsed(path, content[right_key]) != parsed:
                        return []
                    ops.append(self.op("delete", holder, dict_name, key))
                else:
                    ops.append(
                        self.op("rename", holder, dict_name, key, value=value, new_key=right_key)
                    )
                continue
            ops.append(self.op("delete", holder, dict_name, key))
            other = g.variables.get(right_dict)
            other_content = plain(other) if other is not None else None
            if other is None:
                ops.append(
                    self.op("add_var", holder, dict_name, right_dict, value={right_key: value})
                )
            elif not isinstance(other_content, Mapping):
                return []
            elif right_key in other_content:
                if _parsed(path, other_content[right_key]) != parsed:
                    return []
            else:
                ops.append(self.op("set", other, right_dict, right_key, value=value))
        return ops

    def fix_report_frequency(self, finding: Finding) -> list[Op]:
        default = to_output(
            REPORT, parse_value(REPORT, knowledge.default_for(REPORT, self.ctx.version))
        )
        ops: list[Op] = []
        for g in self.groups_of(finding, self.ctx.kubelet_groups):
            holder = g.variables.get(KUBELET_ARGS)
            if holder is None:
                ops.append(
                    Op(
                        "add_var",
                        self.default_file,
                        0,
                        "",
                        KUBELET_ARGS,
                        {"nodeStatusReportFrequency": default},
                    )
                )
            elif isinstance(plain(holder), Mapping):
                ops.append(
                    self.op("set", holder, KUBELET_ARGS, "nodeStatusReportFrequency", value=default)
                )
        return ops

    def fix_profile_drift(self, finding: Finding) -> list[Op]:
        return []  # the whole profile is applied at once (see profile_ops)

    # --------------------------------------------------------------------------- profile

    def profile_ops(self, settings: Any, profile_name: str) -> list[Op]:
        """Set every timing variable and extra-args key that ``settings`` computes."""
        ctx = self.ctx
        ops: list[Op] = []
        holder = ctx.cluster.variables.get("node_timing_profile")
        if holder is not None and plain(holder) != profile_name:
            ops.append(self.op("set", holder, "node_timing_profile", value=profile_name))
        groups = {
            id(g): g for g in [*ctx.kubelet_groups, *(ctx.control_plane_groups or [ctx.cluster])]
        }
        # by identity and by hosts, never by comparing groups field by field (quadratic)
        kubelet = {id(k) for k in ctx.kubelet_groups} | {tuple(k.hosts) for k in ctx.kubelet_groups}
        control_plane = ctx.control_plane_groups or [ctx.cluster]
        control = {id(c) for c in control_plane} | {tuple(c.hosts) for c in control_plane}
        for g in groups.values():
            components = set()
            if id(g) in kubelet or tuple(g.hosts) in kubelet:
                components.add("kubelet")
            if id(g) in control or tuple(g.hosts) in control:
                components |= {"controller_manager", "apiserver"}
            current = {
                name: dict(plain(g.variables[name]))
                for name in kubespray.extra_args()
                if name in g.variables and isinstance(plain(g.variables[name]), Mapping)
            }
            wanted = kubespray.to_vars(settings, current, ctx.version)
            for var, fact in kubespray.variables().items():
                path = fact["setting"]
                if path.split(".")[0] not in components:
                    continue
                want = wanted[var]
                have = g.variables.get(var)
                if have is not None:
                    if _parsed(path, plain(have)) != parse_value(path, want):
                        ops.append(self.op("set", have, var, value=want))
                elif parse_value(path, fact["default"]) != parse_value(path, want):
                    ops.append(Op("add_var", self.default_file, 0, "", var, want))
            for dict_name, fact in kubespray.extra_args().items():
                if fact["component"] not in components:
                    continue
                want_dict = wanted.get(dict_name) or {}
                timing_keys = [k for k in fact["keys"] if k in want_dict]
                have_holder = g.variables.get(dict_name)
                if have_holder is None:
                    if timing_keys:
                        ops.append(
                            Op(
                                "add_var",
                                self.default_file,
                                0,
                                "",
                                dict_name,
                                {k: want_dict[k] for k in timing_keys},
                            )
                        )
                    continue
                have_dict = plain(have_holder)
                if not isinstance(have_dict, Mapping):
                    continue
                for key in have_dict:
                    if key not in want_dict:
                        ops.append(self.op("delete", have_holder, dict_name, str(key)))
                for key in timing_keys:
                    path = fact["keys"][key]
                    if key not in have_dict or _parsed(path, have_dict[key]) != _parsed(
                        path, want_dict[key]
                    ):
                        ops.append(
                            self.op("set", have_holder, dict_name, key, value=want_dict[key])
                        )
        return [
            Op(o.action, o.file, o.line, o.var, o.key, o.value, o.new_key, "profile-drift")
            for o in ops
        ]


def _parsed(path: str, raw: Any) -> Any:
    try:
        return parse_value(path, raw if not (kind_of(path) == "duration" and raw == 0) else "0")
    except SettingError:
        return object()


def _dict_value(dict_name: str, path: str, parsed: Any) -> Any:
    if kubespray.extra_args()[dict_name]["key_style"] == "dash-case":
        return to_text(path, parsed)
    return to_output(path, parsed)


def _whole_seconds(raw: Any) -> int | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        ns = durations.parse(str(raw).strip())
    except durations.DurationError:
        return None
    if ns < 0 or ns % durations.SECOND:
        return None
    return ns // durations.SECOND


def _rank(value: Any) -> int:
    kind = getattr(value, "source_kind", "inventory")
    if kind == "inventory":
        return RANK["inventory-group"] if getattr(value, "group", None) else RANK["inventory-host"]
    return RANK.get(kind, 0)


def resolve_conflicts(ops: Iterable[Op]) -> tuple[list[Op], list[Op]]:
    """Drop repeated ops; when ops disagree on one place, keep the earliest rule's, and drop a
    rule's own disagreeing ops altogether (different hosts want different things)."""
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
    return kept, dropped


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
