"""``verify INVENTORY --collected DIR``: what runs on each host against what the inventory intends.

DIR holds files collected from the nodes in the layout Ansible's ``fetch`` module writes:
``DIR/<inventory_hostname>/<absolute path on the node>``. For every host the kubelet's files
(unit, environment files, ``--config`` file, ``--config-dir`` drop-ins) and, on control-plane hosts,
the kube-controller-manager and kube-apiserver static Pods are read as :mod:`kubelet` and
:mod:`manifests` read them. Each setting whose running value differs from the inventory's is a
``deployed-drift`` finding at the running value's file and line; the usual rules run on the
running values. A host without collected files is reported (a warning), never fatal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node_timing import knowledge, kubespray
from node_timing.deployed._evaluation import HostTiming, LintContext, Options, build_context
from node_timing.deployed._files import NodeFiles, Source
from node_timing.deployed.kubelet import read_kubelet_files
from node_timing.deployed.manifests import COMPONENTS, MANIFEST_DIR, read_manifest
from node_timing.deployed.node import (
    DeployedContext,
    DeployedHost,
    build_deployed_context,
    control_plane_found,
    flag_variables,
    host_timing,
)
from node_timing.deployed.reading import Reading
from node_timing.findings import Finding, Location
from node_timing.inventory.model import LoadProblem
from node_timing.inventory.root import within
from node_timing.rules.deployed_drift import ID, SEVERITY
from node_timing.settings import setting_paths, to_output

RULE = ID  # the rule module yields these findings (see rules/deployed_drift.py)


@dataclass(frozen=True)
class HostComparison:
    """One host's intended and running timing."""

    host: str
    intended: HostTiming
    running: HostTiming | None  # None when nothing was collected for the host
    paths: tuple[str, ...]  # the settings compared on this host (kubelet, control plane or both)
    files: tuple[str, ...]


@dataclass
class Verification:
    """The running values' context (for the rules), the comparisons and the drift findings."""

    context: DeployedContext
    intended: LintContext
    hosts: list[HostComparison]
    drift: list[Finding]


def _roles(intended: LintContext) -> tuple[list[str], set[str]]:
    kubelet_hosts = [h for g in intended.kubelet_groups for h in g.hosts]
    cp_hosts = {h for g in intended.control_plane_groups for h in g.hosts}
    return list(dict.fromkeys([*kubelet_hosts, *sorted(cp_hosts)])), cp_hosts


def host_root(collected: str, host: str, problems: list[LoadProblem]) -> str | None:
    """``collected/host`` when it is a directory inside ``collected`` (a problem otherwise)."""
    where = os.path.join(collected, host)
    if host in ("", ".", "..") or "/" in host or "\0" in host:
        problems.append(
            LoadProblem(
                collected,
                0,
                0,
                f"host {host!r}: not a directory name, not looked up",
                severity="warning",
            )
        )
        return None
    if not os.path.isdir(where):
        problems.append(
            LoadProblem(
                where,
                0,
                0,
                f"{host}: no files collected (no directory {host}/)",
                severity="warning",
            )
        )
        return None
    if not within(os.path.realpath(collected), os.path.realpath(where)):
        problems.append(
            LoadProblem(
                where,
                0,
                0,
                f"{host}: not read: a symlink out of the collected directory",
                severity="warning",
            )
        )
        return None
    return where


def verify(inventory: Any, collected: str, options: Options) -> Verification:
    """Compare every host of ``inventory`` (a loaded inventory) with its files under ``collected``."""
    intended = build_context(inventory, options)
    problems: list[LoadProblem] = []
    hosts, _ = _roles(intended)
    roots = {host: host_root(collected, host, problems) for host in hosts}
    return compare(
        intended, {h: NodeFiles(root) for h, root in roots.items() if root is not None}, problems
    )


def compare(
    intended: LintContext,
    node_files: Mapping[str, NodeFiles],
    problems: list[LoadProblem] | None = None,
) -> Verification:
    """Compare every host of the ``intended`` context with its files, ``node_files[host]`` (a
    collected directory for ``verify``, the texts the role read for its verification); a host
    without files is compared with nothing. ``problems`` are reported with the files' own."""
    version = intended.version
    host_group: dict[str, HostTiming] = {h: g for g in intended.groups for h in g.hosts}
    hosts, cp_hosts = _roles(intended)
    kubelet_names = {h for g in intended.kubelet_groups for h in g.hosts}
    problems = list(problems or [])
    comparisons: list[HostComparison] = []
    running_hosts: list[DeployedHost] = []
    running_timing: dict[str, HostTiming] = {}
    kubelet_paths = [p for p in setting_paths() if p.startswith("kubelet.")]
    cp_paths = [p for p in setting_paths() if not p.startswith("kubelet.")]
    for host in hosts:
        paths = (kubelet_paths if host in kubelet_names else []) + (
            cp_paths if host in cp_hosts else []
        )
        files = node_files.get(host)
        if files is None:
            comparisons.append(HostComparison(host, host_group[host], None, tuple(paths), ()))
            continue
        root = files.root
        kubelet_found: dict[str, list[Source]] = {}
        environment: Mapping[str, Any] = {}
        if host in kubelet_names:
            state = read_kubelet_files(files, version)
            if not state.found:
                files.problems.append(
                    LoadProblem(
                        root,
                        0,
                        0,
                        f"{host}: no kubelet files collected (kubelet.service, "
                        "kubelet.env, kubeadm-flags.env, the kubelet's config file)",
                        severity="warning",
                    )
                )
            kubelet_found = {p: list(chain[1:]) for p, chain in state.sources.items()}
            environment = state.environment
        manifests: list[Reading] = []
        if host in cp_hosts:
            for binary in COMPONENTS:
                path = f"{MANIFEST_DIR}/{binary}.yaml"
                if not files.exists(path):
                    files.problems.append(
                        LoadProblem(
                            files.shown(path),
                            0,
                            0,
                            f"{host}: {binary} manifest not collected",
                            severity="warning",
                        )
                    )
                    continue
                reading = read_manifest(files, path)
                if reading is not None:
                    manifests.append(reading)
        base = Location(root)
        timing = host_timing(
            [host],
            version,
            kubelet_found,
            control_plane_found(manifests),
            {**flag_variables(manifests), **environment},
            base,
        )
        running_timing[host] = timing
        problems.extend(files.problems)
        running_hosts.append(DeployedHost(host, [], manifests, files.read_files))
        comparisons.append(
            HostComparison(host, host_group[host], timing, tuple(paths), tuple(files.read_files))
        )
    ctx = build_deployed_context(
        [],
        problems,
        Options(
            kube_version=str(version),
            nodes=intended.nodes,
            heartbeat_budget=intended.heartbeat_budget,
            thresholds=intended.thresholds,
        ),
        intended.default_location,
    )
    kubelet_groups = [
        running_timing[h] for h in hosts if h in running_timing and h in kubelet_names
    ]
    cp_groups = [running_timing[h] for h in hosts if h in running_timing and h in cp_hosts]
    groups = [running_timing[h] for h in hosts if h in running_timing]
    if groups:
        ctx.kubelet_groups = kubelet_groups
        ctx.control_plane_groups = cp_groups
        ctx.groups = groups
        ctx.cluster = cp_groups[0] if cp_groups else groups[0]
    drift = [f for c in comparisons for f in drift_findings(ctx, c)]
    ctx.drift = drift
    return Verification(ctx, intended, comparisons, drift)


def _shown(timing: HostTiming, path: str) -> str:
    value = timing.settings.get(path)
    if value is None:  # an inheriting report frequency
        inherited = to_output(path, timing.settings.kubelet.node_status_update_frequency)
        return f"{inherited} (inheriting the update frequency)"
    return str(to_output(path, value))


def _where(source: Source) -> str:
    from node_timing.display import display_path

    return display_path(str(source.location))


def drift_findings(ctx: LintContext, comparison: HostComparison) -> list[Finding]:
    """A ``deployed-drift`` finding for every setting that runs with another value than intended."""
    out: list[Finding] = []
    running = comparison.running
    if running is None:
        return out
    facts = knowledge.setting_facts()
    for path in comparison.paths:
        want, have = comparison.intended.source(path), running.source(path)
        if not (want.usable and have.usable):
            continue  # an unresolved intention or a broken file: other rules report it
        if comparison.intended.settings.get(path) == running.settings.get(path):
            continue
        name = facts[path]["upstream_name"]
        origin = (
            "kubespray's default"
            if want.kind == "kubespray-default"
            else "the Kubernetes default"
            if want.from_default
            else _where(want)
        )
        running_at = "the Kubernetes default, set in no file" if have.from_default else _where(have)
        message = (
            f"{comparison.host}: {name} runs {_shown(running, path)} ({running_at}) but the "
            f"inventory intends {_shown(comparison.intended, path)} ({origin}); redeploy it "
            f"({kubespray.redeploy_remedy(path)}) or change the inventory to what runs"
        )
        location = have.location
        out.append(
            Finding(
                RULE,
                SEVERITY,
                message,
                location.path,
                location.line,
                location.column,
                (comparison.host,),
                setting=path,
                extra={
                    "noqa": have.noqa,
                    "intended": _shown(comparison.intended, path),
                    "running": _shown(running, path),
                },
            )
        )
    return out


def verify_path(inventory_path: str | Path, collected: str, options: Options) -> Verification:
    """Load the inventory at ``inventory_path`` and :func:`verify` it against ``collected``."""
    from node_timing.inventory import load_inventory

    inventory = load_inventory(
        inventory_path, allow_exec=options.allow_exec, extra_vars=options.extra_vars
    )
    return verify(inventory, collected, options)


def report(verification: Verification) -> list[dict[str, Any]]:
    """Per host: every compared setting's intended and running value and where each comes from."""
    out: list[dict[str, Any]] = []
    for c in verification.hosts:
        settings: dict[str, Any] = {}
        for path in c.paths:
            want = c.intended.source(path)
            entry: dict[str, Any] = {
                "intended": _shown(c.intended, path),
                "intended_from": "kubespray default"
                if want.kind == "kubespray-default"
                else "Kubernetes default"
                if want.from_default
                else _where(want),
            }
            if c.running is not None:
                have = c.running.source(path)
                entry["running"] = _shown(c.running, path) if have.usable else have.raw
                entry["running_from"] = "Kubernetes default" if have.from_default else _where(have)
                entry["drift"] = (
                    want.usable
                    and have.usable
                    and c.intended.settings.get(path) != c.running.settings.get(path)
                )
                if not have.usable:
                    entry["problem"] = have.problem
            settings[path] = entry
        out.append({"host": c.host, "collected": c.running is not None, "settings": settings})
    return out


def explain_collected(inventory: Any, collected: str, options: Options, fmt: str) -> int:
    """``explain INVENTORY --collected DIR``: per host, intended against running; exit 0."""
    import sys

    from node_timing.display import printable
    from node_timing.errors import UsageError
    from node_timing.serialize import to_json

    if not os.path.isdir(collected):
        raise UsageError(f"--collected {printable(collected)}: not a directory")
    try:
        result = verify(inventory, collected, options)
    except knowledge.KnowledgeError as exc:
        raise UsageError(str(exc)) from None
    hosts = report(result)
    if fmt == "json":
        sys.stdout.write(
            to_json({"kube_version": str(result.intended.version), "hosts": hosts}, default=str)
        )
        return 0
    lines = [f"Kubernetes {result.intended.version}, {len(hosts)} host(s), files from {collected}"]
    for entry in hosts:
        lines += [
            "",
            f"host: {entry['host']}" + ("" if entry["collected"] else "  (no files collected)"),
        ]
        if not entry["settings"]:
            continue
        width = max(len(p) for p in entry["settings"])
        for path, info in entry["settings"].items():
            mark = "!=" if info.get("drift") else "  "
            running = info.get("running", "-")
            where = info.get("running_from", "")
            note = f"  ! {info['problem']}" if info.get("problem") else ""
            lines.append(
                f"  {path:<{width}}  intended {info['intended']:<12} {mark} running "
                f"{running!s:<12}  {where}{note}"
            )
    sys.stdout.write("\n".join(printable(line.rstrip()) for line in lines) + "\n")
    return 0


__all__ = [
    "RULE",
    "HostComparison",
    "Verification",
    "compare",
    "explain_collected",
    "report",
    "verify",
    "verify_path",
]
