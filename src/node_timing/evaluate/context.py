"""The lint context: an inventory's hosts grouped by their relevant variables, each group's effective
settings, the Kubernetes version, the node count and the heartbeat budget. Rules read only this.

Hosts that share the same relevant variables (the same Value objects from the same files) are
evaluated once, so a 5,000-host inventory with a handful of group layouts costs a handful of
evaluations.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from node_timing import knowledge, kubespray
from node_timing.display import brief
from node_timing.evaluate.host_timing import HostTiming, build_host_timing
from node_timing.evaluate.options import (
    Options,
    ReleaseProblem,
    VersionProblem,
    choose_release,
    release_problem_of,
    sizing,
    version_of,
    version_reason,
)
from node_timing.evaluate.sources import Source, plain
from node_timing.findings import UNSET, Finding, Location, Severity
from node_timing.knowledge import KubeVersion
from node_timing.releases import Release
from node_timing.templating import is_templated
from node_timing.thresholds import Thresholds

# mistyped variables. Timing-like names are found by this pattern (for `unknown-setting`).
TIMING_WORDS = re.compile(
    r"(grace|frequency|lease|monitor|eviction|toleration|heartbeat|status_update|status-update|report)",
    re.IGNORECASE,
)
CONTEXT_VARIABLES = frozenset(
    {
        "kube_version",
        "node_timing_profile",
        "node_timing_node_count",
        "node_timing_overrides",
        "node_timing_heartbeat_budget",
        "node_timing_http2_read_idle_timeout_seconds",
        "node_timing_http2_ping_timeout_seconds",
        "node_timing_kubelet_disable_http2",
        # how kubespray renders what runs (evaluate/running.py)
        "kubelet_custom_flags",
        "kube_apiserver_disable_admission_plugins",  # rules/toleration_disabled.py
        "kubeadm_config_api_version",
        "kubeadm_config_validate_enabled",
    }
)


def relevant_variable(name: str) -> bool:
    got = _RELEVANT.get(name)
    if got is None:
        got = _RELEVANT[name] = _relevant_variable(name)
    return got


_RELEVANT: dict[str, bool] = {}  # variable names repeat across hosts: decide each name once


def _relevant_variable(name: str) -> bool:
    if name in CONTEXT_VARIABLES or name in kubespray.variables() or name in kubespray.extra_args():
        return True
    if name in knowledge.kubespray()["removed_variables"]:
        return True
    return bool(TIMING_WORDS.search(name)) and (name.startswith("kube") or name.startswith("node"))


@dataclass
class LintContext:
    """What every rule sees."""

    inventory: Any
    version: KubeVersion
    version_source: Location | None
    version_problem: VersionProblem | None
    nodes: int
    heartbeat_budget: float
    default_location: Location
    kubelet_groups: list[HostTiming]
    control_plane_groups: list[HostTiming]
    groups: list[HostTiming]  # every distinct group of hosts the rules look at
    cluster: HostTiming  # the control plane's view (first control-plane host)
    problems: Sequence[Any] = field(default_factory=list)
    release: Release | None = None
    release_problem: ReleaseProblem | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    version_why: str = ""  # why this version: the option, the inventory, the release's default

    def threshold(self, name: str) -> int | float:
        """A rule's threshold (data/kubernetes.yml), as .node-timing.yml may have moved it."""
        return self.thresholds.value(name)

    @cached_property
    def kubelet_hosts(self) -> int:
        """Hosts in every kubelet group: counted once, not once per group that asks (which made
        rules that scale per group quadratic when every host has its own values)."""
        return sum(len(g.hosts) for g in self.kubelet_groups)

    @cached_property
    def control_plane_hosts(self) -> frozenset[str]:
        """Hosts that run kube-controller-manager and kube-apiserver."""
        return frozenset(h for g in self.control_plane_groups for h in g.hosts)

    def nodes_of(self, group: HostTiming) -> int:
        """The nodes ``group`` stands for: its hosts, scaled when the node count is given."""
        total = self.kubelet_hosts
        if total == 0:
            return 0
        return max(1, round(len(group.hosts) * self.nodes / total)) if group.hosts else 0

    def finding(
        self,
        rule: str,
        message: str,
        at: Source | Location,
        hosts: Iterable[str],
        *,
        severity: Severity | None = None,
        setting: str | None = None,
        noqa: frozenset[str] = frozenset(),
        fixable: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A finding of ``rule``; ``severity`` only overrides the rule's declared default, which
        ``run_rules`` stamps (see ``default_severity``)."""
        if isinstance(at, Source):
            location = at.location
            noqa = noqa | at.noqa
            from_default = at.from_default
            setting = setting or at.setting
            if from_default and "not set in the inventory" not in message:
                message = f"{message} ({at.name} is kubespray's default, not set in the inventory)"
        else:
            location = at
            from_default = False
        data: dict[str, Any] = dict(extra or {})
        data["noqa"] = noqa
        return Finding(
            rule=rule,
            severity=severity or UNSET,
            message=message,
            path=location.path,
            line=location.line,
            column=location.column,
            hosts=tuple(sorted(set(hosts))),
            setting=setting,
            from_default=from_default,
            fixable=fixable,
            extra=data,
        )


def _signature(variables: Mapping[str, Any]) -> tuple[Any, ...]:
    """Hosts whose relevant variables are the very same values share one evaluation."""
    return tuple(sorted((name, _value_key(v)) for name, v in variables.items()))


def _value_key(v: Any) -> Any:
    path = getattr(v, "path", None)
    if path is not None:
        return (path, getattr(v, "line", 0), getattr(v, "column", 0), brief(plain(v)))
    return brief(v)


def _relevant(host_vars: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The variables the rules read, and the ones templates among them may read (all, if any)."""
    relevant = {name: v for name, v in host_vars.items() if relevant_variable(name)}
    if any(_templated(plain(v)) for v in relevant.values()):
        return relevant, dict(host_vars)
    return relevant, relevant


def _templated(value: Any) -> bool:
    """Whether ``value``, or a value of the dict it is (an extra-args dict), is templated."""
    if isinstance(value, Mapping):
        return any(is_templated(x) for x in value.values())
    return is_templated(value)


def where_to_set(paths: Mapping[str, Any], fallback: str) -> Location:
    """Where a finding about a value nobody set is located: where the user would set it, the
    vars file holding most of the cluster's timing variables (``paths`` maps a variable to the
    group_vars or extra-vars file it was read from), else the inventory file ``fallback``; at
    line 1, never line 0, which no editor or code-scanning view can show."""
    timing = kubespray.variables()
    counts: dict[str, int] = {}
    for name, path in paths.items():
        if name in timing and path:
            counts[str(path)] = counts.get(str(path), 0) + 1
    if counts:
        return Location(max(counts, key=lambda p: counts[p]), 1, 1)
    return Location(fallback, 1, 1)


def build_context(inventory: Any, options: Options | None = None) -> LintContext:
    """Group hosts, resolve the version and node count, build effective settings per group."""
    from node_timing import templating

    templating.new_run()
    options = options or Options()
    groups_fact = knowledge.kubespray()["groups"]
    sources = list(getattr(inventory, "sources", []) or [])
    source = sources[0] if sources else str(getattr(inventory, "root", "."))
    cluster_hosts = (
        list(inventory.group_hosts(groups_fact["cluster"]))
        if groups_fact["cluster"] in inventory.groups
        else []
    )
    if not cluster_hosts:
        cluster_hosts = list(inventory.hosts)
    cp_hosts = (
        list(inventory.group_hosts(groups_fact["control_plane"]))
        if groups_fact["control_plane"] in inventory.groups
        else []
    )
    first_cp = cp_hosts[0] if cp_hosts else (cluster_hosts[0] if cluster_hosts else None)
    first_vars = inventory.host_vars(first_cp) if first_cp else {}
    default_location = where_to_set(
        {
            name: v.path
            for name, v in first_vars.items()
            if getattr(v, "source_kind", None) in ("group_vars", "extra_vars")
            and os.path.isfile(v.path)
        },
        source,
    )
    release = choose_release(options, source)
    version, version_source, version_problem = version_of(
        first_vars, options, default_location, release
    )
    # What a release renders decides only when it is known: a guessed one (the newest) would
    # override the inventory's own kubeadm_config_api_version for older checkouts.
    rendering_release = release.name if release.how == "known" else None
    release_problem = (
        None
        if version_problem is not None
        else release_problem_of(first_vars, release, default_location)
    )

    by_signature: dict[tuple[Any, ...], HostTiming] = {}
    host_group: dict[str, HostTiming] = {}
    ordered: list[HostTiming] = []
    # Hosts of one group layout that set no relevant variable themselves share the layout's
    # relevant variables (the same Value objects), so filtering and the signature are computed
    # once per layout, not once per host. Templated values may read any host variable: then
    # every host is looked at on its own, as before.
    parts_of = getattr(inventory, "host_vars_parts", None)
    per_layout: dict[Any, tuple[dict[str, Any], dict[str, Any], tuple[Any, ...]] | None] = {}
    for host in dict.fromkeys([*cluster_hosts, *cp_hosts]):
        shared_entry = None
        if parts_of is not None:
            layout, shared, own = parts_of(host)
            if not any(relevant_variable(name) for name in own):
                if layout in per_layout:
                    shared_entry = per_layout[layout]
                else:
                    relevant, context = _relevant(shared)
                    if context is relevant:
                        shared_entry = (relevant, context, _signature(context))
                    per_layout[layout] = shared_entry
        if shared_entry is not None:
            relevant, context, key = shared_entry
        else:
            relevant, context = _relevant(inventory.host_vars(host))
            key = _signature(context)
        timing = by_signature.get(key)
        if timing is None:
            timing = build_host_timing(
                [], relevant, version, default_location, context, rendering_release
            )
            by_signature[key] = timing
            ordered.append(timing)
        timing.hosts.append(host)
        host_group[host] = timing
    if not ordered:
        ordered.append(
            build_host_timing([], {}, version, default_location, release=rendering_release)
        )

    def groups_for(hosts: Iterable[str]) -> list[HostTiming]:
        seen: dict[int, HostTiming] = {}
        for h in hosts:
            t = host_group.get(h)
            if t is not None:
                seen.setdefault(id(t), t)
        return list(seen.values())

    kubelet_groups = _restricted(groups_for(cluster_hosts), set(cluster_hosts)) or ordered
    cp_groups = _restricted(groups_for(cp_hosts), set(cp_hosts))
    cluster = cp_groups[0] if cp_groups else ordered[0]

    nodes, budget = sizing(first_vars, options, len(cluster_hosts))
    return LintContext(
        inventory=inventory,
        version=version,
        version_source=version_source,
        version_problem=version_problem,
        nodes=nodes,
        heartbeat_budget=budget,
        default_location=default_location,
        kubelet_groups=kubelet_groups,
        control_plane_groups=cp_groups,
        groups=ordered,
        cluster=cluster,
        problems=list(getattr(inventory, "problems", []) or []),
        release=release,
        release_problem=release_problem,
        thresholds=options.thresholds,
        version_why=version_reason(
            options, "kube_version" in first_vars, release, version_problem is None
        ),
    )


def _restricted(groups: list[HostTiming], hosts: set[str]) -> list[HostTiming]:
    """Views of ``groups`` limited to ``hosts`` (a group may hold hosts outside that set)."""
    out = []
    for g in groups:
        members = [h for h in g.hosts if h in hosts]
        if len(members) == len(g.hosts):
            out.append(g)
        else:
            out.append(replace(g, hosts=members))
    return out


def host_context(
    variables: Mapping[str, Any],
    nodes: int | None = None,
    kube_version: str | None = None,
    origins: Mapping[str, Sequence[Any]] | None = None,
    host: str = "host",
    default_path: str = "inventory",
    thresholds: Thresholds | None = None,
) -> LintContext:
    """The context of one host's variables (as the Ansible role sees them).

    ``origins`` maps a variable name to ``(path, line, column)`` where Ansible read it, so findings
    point at the file and line as the CLI's do. The host stands for both a kubelet and a control
    plane.
    """
    return groups_context(
        [(variables, [host], origins or {})],
        nodes,
        kube_version,
        default_path=default_path,
        thresholds=thresholds,
    )


def groups_context(
    groups: Sequence[tuple[Mapping[str, Any], Sequence[str], Mapping[str, Sequence[Any]]]],
    nodes: int | None = None,
    kube_version: str | None = None,
    control_plane: Sequence[str] | None = None,
    default_path: str = "inventory",
    thresholds: Thresholds | None = None,
) -> LintContext:
    """The context of groups of hosts, each ``(variables, hosts, origins)`` with the variables its
    hosts share, as :func:`build_context` makes one for an inventory.

    So a figure about a group counts that group's hosts (scaled to ``nodes``), not the whole
    cluster: one host_vars host with its own update frequency writes one node's status updates.
    Sizing and the version come from the first group's variables. ``control_plane`` names the
    control-plane hosts, whose groups' controller-manager and apiserver settings are checked;
    without it every group is. ``thresholds`` are the rules' (the defaults when None), as
    ``Options.thresholds`` are for an inventory. ``groups`` must not be empty.
    """
    from node_timing.inventory.model import Value

    first_origins = groups[0][2] if groups else {}
    default_location = where_to_set(
        {
            n: w[0]
            for n, w in first_origins.items()
            if w and len(w) == 3 and "group_vars" in str(w[0]).split("/")
        },
        default_path,
    )
    timings: list[HostTiming] = []
    first_values: dict[str, Any] | None = None
    version: KubeVersion | None = None
    version_source: Location | None = None
    version_problem: VersionProblem | None = None
    for variables, hosts, origins in groups:
        values: dict[str, Any] = {}
        for name, raw in variables.items():
            where = origins.get(name)
            if where and len(where) == 3 and where[0]:
                values[name] = Value(raw, str(where[0]), int(where[1] or 0), int(where[2] or 0))
            else:
                values[name] = Value(raw, default_path, 0, 0)
        if version is None:
            first_values = values
            version, version_source, version_problem = version_of(
                values, Options(kube_version=kube_version), default_location
            )
        relevant = {n: v for n, v in values.items() if relevant_variable(n)}
        timings.append(build_host_timing(list(hosts), relevant, version, default_location, values))
    if version is None or first_values is None:
        raise ValueError("groups_context needs at least one group")
    host_count = sum(len(t.hosts) for t in timings)
    count, budget = sizing(first_values, Options(nodes=nodes), host_count)
    cp_groups = timings
    if control_plane is not None:
        cp_groups = [g for g in _restricted(timings, set(control_plane)) if g.hosts] or timings
    return LintContext(
        inventory=None,
        version=version,
        version_source=version_source,
        version_problem=version_problem,
        nodes=count,
        heartbeat_budget=budget,
        default_location=default_location,
        kubelet_groups=timings,
        control_plane_groups=cp_groups,
        groups=timings,
        cluster=cp_groups[0],
        problems=[],
        thresholds=thresholds or Thresholds(),
    )
