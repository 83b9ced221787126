"""``node-timing explain INVENTORY``: what the inventory's timing means, per group of hosts.

For each set of hosts that share the same effective settings: the settings, where each value comes
from (file:line, or kubespray's default), and the figures: heartbeat interval, detection and
eviction time of a dead node, heartbeat writes and etcd bytes.
"""

from __future__ import annotations

import argparse
from typing import Any

from node_timing.commands._project import (
    add_project_options,
    announce_release,
    project_config,
    project_options,
)

DESCRIPTION = (
    "Explain an inventory's effective timing: for each group of hosts sharing the same settings, "
    "where every value comes from and how fast a dead node is detected and its pods evicted."
)

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing explain examples/inventory/mycluster
  node-timing explain examples/inventory/upstream-explicit --format json
  node-timing explain examples/inventory/kubespray-current --collected examples/collected
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from node_timing.commands.profile import _nodes  # bounded, as profile's --nodes

    p.add_argument("inventory", metavar="INVENTORY", help="inventory directory or file")
    p.add_argument(
        "--nodes",
        type=_nodes,
        help="node count for the load figures (default: hosts in k8s_cluster)",
    )
    p.add_argument(
        "--kube-version", help="Kubernetes version (default: the inventory's kube_version)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--collected",
        metavar="DIR",
        help="per host, what the inventory intends against what runs, read from files collected "
        "from the nodes (DIR/<inventory_hostname>/<path on the node>)",
    )
    add_project_options(p)


def run(args: argparse.Namespace) -> int:
    import sys
    from dataclasses import replace

    from node_timing import figures, knowledge
    from node_timing.commands.profile import refuse_profile_name
    from node_timing.display import display_path, printable
    from node_timing.errors import EXIT_NOTHING, UsageError
    from node_timing.evaluate.context import build_context
    from node_timing.evaluate.sources import NODE_TIMING_VAR
    from node_timing.inventory import InventoryError, load_inventory
    from node_timing.serialize import to_json
    from node_timing.settings import to_output

    refuse_profile_name(args.inventory)
    # the same version, release, node count and sources as `lint` of this inventory
    options = project_options(args, project_config(args, args.inventory))
    try:
        inventory = load_inventory(
            args.inventory, allow_exec=options.allow_exec, extra_vars=options.extra_vars
        )
    except InventoryError as exc:
        print(f"node-timing: {printable(str(exc))}", file=sys.stderr)
        if args.format == "json":  # a valid, empty document for whatever reads stdout
            sys.stdout.write(to_json({"kube_version": None, "nodes": 0, "groups": []}))
        return EXIT_NOTHING
    if args.collected is not None:
        from node_timing.deployed.verify import explain_collected

        return explain_collected(inventory, args.collected, options, args.format)
    try:
        ctx = build_context(inventory, options)
    except knowledge.KnowledgeError as exc:
        raise UsageError(str(exc)) from None
    announce_release(ctx.release)
    if ctx.version_problem is not None and ctx.version_problem.outside:
        # every figure below would be another version's: say so instead
        raise UsageError(
            f"{display_path(str(ctx.version_problem.location))}: {ctx.version_problem.message}; "
            "explain has nothing it can say about this version (--kube-version V explains the "
            "inventory as Kubernetes V)"
        )
    report: list[dict[str, Any]] = []
    # once per setting, not per kubelet group: both may number in the thousands
    per_host = {p: _per_host(ctx, p) for p in ctx.cluster.effective if not p.startswith("kubelet.")}
    for group in ctx.kubelet_groups:
        settings = replace(ctx.cluster.settings, kubelet=group.settings.kubelet)
        figs = figures.compute(settings, ctx.nodes_of(group), kube_version=ctx.version)
        origins = {}
        for path, source in {
            **ctx.cluster.effective,
            **{p: s for p, s in group.effective.items() if p.startswith("kubelet.")},
        }.items():
            value = settings.get(path)
            if value is None:  # the report frequency inherits the update frequency
                shown_value: Any = "inherits " + to_output(
                    path, settings.kubelet.node_status_update_frequency
                )
            else:
                shown_value = to_output(path, value) if source.usable else source.raw
            origins[path] = {
                "value": shown_value,
                "from": "kubespray default"
                if source.kind == "kubespray-default"
                else "Kubernetes default"
                if source.kind == "kubernetes-default"
                else display_path(str(source.location)),
                **({"problem": source.problem or source.unresolved} if not source.usable else {}),
            }
            if source.kind == NODE_TIMING_VAR and source.usable:
                # kubespray cannot deploy the kubelet's environment: intended, not running
                origins[path] = {
                    "value": to_output(path, knowledge.default_for(path, ctx.version)),
                    "from": "Kubernetes default",
                    "intended": shown_value,
                    "intended_from": display_path(str(source.location)),
                    "why": f"intended {shown_value} ({source.name} at "
                    f"{display_path(str(source.location))}), deployed only by the node_timing "
                    "role's apply: kubespray has no variable for the kubelet's environment",
                }
                continue
            owner = group if path.startswith("kubelet.") else ctx.cluster
            resolution = owner.resolutions.get(path)
            if resolution is not None:  # rendered more than once: which one runs, and why
                origins[path]["why"] = resolution.reason
            elif path in owner.kubelet_how and (
                "flag" in owner.kubelet_how[path]
                or (owner.kubelet_how[path] == "default" and not source.from_default)
            ):  # only what a reader would not guess: a flag, a 0 that means unset
                origins[path]["why"] = "kubelet: " + owner.kubelet_how[path]
            if per_host.get(path) is not None:
                origins[path]["per_host"] = per_host[path]
        report.append(
            {
                "hosts": group.hosts,
                "settings": origins,
                "figures": figs.to_dict(),
                "simulated": _simulated(settings, ctx.nodes, len(ctx.kubelet_groups), ctx.version),
            }
        )
    if args.format == "json":
        # A value the inventory wrote as a YAML date or !!binary is shown as text, as below.
        sys.stdout.write(
            to_json(
                {
                    "kube_version": str(ctx.version),
                    "kube_version_from": ctx.version_why,
                    "nodes": ctx.nodes,
                    "eviction_model": figures.model_text(ctx.version),
                    "caveats": figures.caveats(),
                    "groups": report,
                },
                default=str,
            )
        )
        return 0
    out = [
        f"Kubernetes {ctx.version}: {printable(ctx.version_why)}",
        f"{ctx.nodes} nodes, {len(report)} group(s) of kubelet settings",
    ]
    for entry in report:
        hosts = entry["hosts"]
        shown = ", ".join(hosts[:6]) + (f" and {len(hosts) - 6} more" if len(hosts) > 6 else "")
        out += ["", f"hosts: {printable(shown)}"]
        width = max(len(p) for p in entry["settings"])
        for path, info in entry["settings"].items():
            note = f"  ! {printable(str(info['problem']))}" if "problem" in info else ""
            value = printable(str(info["value"]))
            out.append(f"  {path:<{width}}  {value:<12}  {printable(info['from'])}{note}")
            if "why" in info:
                out.append(f"  {'':<{width}}  {'':<12}  ({printable(str(info['why']))})")
            if "per_host" in info:
                out.append(f"  {'':<{width}}  {'':<12}  ({printable(_per_host_text(info))})")
        f = entry["figures"]
        writes = (
            f"; these hosts write {f['lease_writes_per_minute']} leases and "
            f"{f['status_reports_per_minute']} Node status reports a minute"
            if hosts
            else ""  # no hosts: no write figures to speak of
        )
        out += [
            f"  a dead node is marked after {f['detection_seconds_min']}s to {f['detection_seconds_max']}s "
            f"({f['heartbeats_per_grace']} heartbeats of {f['heartbeat_interval_seconds']}s per grace period);",
            f"  its pods are evicted after {f['eviction_seconds_min']}s to "
            f"{f['eviction_seconds_max']}s (taint queued in the {f['taint_queued']}){writes}",
        ]
        out += _simulated_text(entry["simulated"])
    out += ["", f"model: {figures.model_text(ctx.version)}", "not in the eviction figure:"]
    out += [f"  - {c}" for c in figures.caveats()]
    sys.stdout.write("\n".join(out) + "\n")
    return 0


# -- values that differ between control-plane hosts ---------------------------------------------
# Each control-plane host runs its own kube-controller-manager and kube-apiserver: where their
# values differ (lint's control-plane-drift), explain shows the first control-plane host's, which
# the other rules judge, and says so, with what the others run.


def _per_host(ctx: Any, path: str) -> dict[str, Any] | None:
    from node_timing.settings import to_output

    shown = ctx.cluster
    value = shown.settings.get(path)
    others = [
        {"hosts": g.hosts, "value": to_output(path, g.settings.get(path))}
        for g in ctx.control_plane_groups
        if g is not shown
        and g.hosts
        and g.source(path).usable
        and shown.source(path).usable
        and g.settings.get(path) != value
    ]
    if not others:
        return None
    component = "kube-controller-manager" if path.startswith("controller_manager.") else "apiserver"
    return {
        "shown_for": shown.hosts,
        "reason": f"the first control-plane host's {component}, the one the other checks judge",
        "others": others,
        "rule": "control-plane-drift",
    }


def _per_host_text(info: dict[str, Any]) -> str:
    per_host = info["per_host"]
    others = "; ".join(
        f"{_some(o['hosts'])} run{'s' if len(o['hosts']) == 1 else ''} {o['value']}"
        for o in per_host["others"][:3]
    )
    more = len(per_host["others"]) - 3
    more_text = f"; and {more} more group(s)" if more > 0 else ""
    return (
        f"shown for {_some(per_host['shown_for'])}: {per_host['reason']}; {others}{more_text}: "
        "which applies depends on which instance leads or admits (control-plane-drift)"
    )


def _some(hosts: list[str]) -> str:
    return ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")


# -- simulated headline ------------------------------------------------------------------------
# Next to the closed form: what `node-timing simulate` finds for one node crashing and for 5% of
# the cluster going down together (seed 1), where the rate-limited taint queue shows.


# An inventory may give every host its own values (thousands of groups): only an inventory of at
# most 4 groups gets a headline (null otherwise), which keeps explain linear in hosts.
SIMULATED_GROUPS = 4


def _simulated(settings: Any, nodes: int, groups: int, version: Any) -> dict[str, Any] | None:
    from node_timing.simulate.scenarios import headline

    return headline(settings, nodes, kube_version=version) if groups <= SIMULATED_GROUPS else None


def _simulated_text(sim: dict[str, Any] | None) -> list[str]:
    if sim is None:
        return []
    one, zone = sim["node_crash"], sim["zone_outage_5_percent"]
    last = zone["last_eviction_seconds"]
    return [
        f"  simulated (seed {sim['seed']}): one dead node marked at "
        f"{one['detection_seconds']['max']}s, its pods evicted at {one['last_eviction_seconds']}s; "
        f"{zone['failed']} node{'s' if zone['failed'] != 1 else ''} down at once: the last pods "
        "evicted at " + (f"{last}s" if last is not None else "no eviction within 30 minutes")
    ]
