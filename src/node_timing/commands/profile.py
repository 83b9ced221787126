"""``node-timing profile NAME --nodes N``: settings, figures and kubespray variables of a profile."""

from __future__ import annotations

import argparse
import sys
from typing import Any

DESCRIPTION = (
    "Compute consistent kubelet, kube-controller-manager and kube-apiserver timing settings from a "
    "profile, the node count and the Kubernetes version, with detection time, eviction time and "
    "heartbeat writes."
)

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing profile fast --nodes 100
  node-timing profile medium --nodes 1000 --kube-version 1.33 --format json
  node-timing profile upstream --nodes 50 --set controller_manager.node_monitor_grace_period=1m --strict
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name", metavar="NAME", help="profile: upstream, kubespray-default, fast, medium, low"
    )
    p.add_argument("--nodes", type=_nodes, required=True, help="number of nodes in the cluster")
    p.add_argument(
        "--kube-version", help="Kubernetes version: 1.35, 1.35.4 or v1.35.4 (default: 1.36)"
    )
    p.add_argument(
        "--heartbeat-budget",
        type=_positive_float,
        help="lease writes per second the cluster may spend on heartbeats (default 500)",
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="COMPONENT.SETTING=VALUE",
        help="override one setting, e.g. controller_manager.node_monitor_grace_period=30s (repeatable)",
    )
    p.add_argument("--lease-bytes", type=_bytes, help="bytes etcd writes per lease renewal")
    p.add_argument(
        "--node-status-bytes", type=_bytes, help="bytes etcd writes per node status report"
    )
    p.add_argument("--format", choices=("table", "yaml", "json"), default="table")
    p.add_argument(
        "--strict",
        action="store_true",
        help="the lint rules run on the result; errors exit 2, with --strict warnings too",
    )


# The largest cluster Kubernetes is tested and documented for ("Considerations for large
# clusters": no more than 5,000 nodes), https://kubernetes.io/docs/setup/best-practices/cluster-large/
TESTED_NODES = 5000

# etcd refuses requests above 1.5 MiB by default (--max-request-bytes); an object size far above
# that is a typo, and an unbounded one would overflow the figures' floats.
MAX_OBJECT_BYTES = 1 << 30


def _count(text: str, maximum: int) -> int:
    from node_timing.display import brief

    digits = text.strip().lstrip("+-")
    # A whole number above the maximum is refused by its length before int() parses it: Python
    # refuses to parse more than 4,300 digits, and no bound here has 20.
    if not digits.isdigit() or not digits.isascii():
        raise argparse.ArgumentTypeError(f"expected a whole number, got {brief(text)}")
    value = int(text, 10) if len(digits) <= 20 else maximum + 1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {brief(text)}")
    if value > maximum:
        raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, got {brief(text)}")
    return value


def _nodes(text: str) -> int:
    from node_timing.display import brief
    from node_timing.profiles import MAX_NODES

    count = _count(text, MAX_NODES)
    if count < 1:
        # a cluster without nodes has no heartbeats to time; every figure would divide by it
        raise argparse.ArgumentTypeError(f"must be at least 1, got {brief(text)}")
    return count


def _bytes(text: str) -> int:
    return _count(text, MAX_OBJECT_BYTES)


def _positive_float(text: str) -> float:
    from node_timing.display import brief
    from node_timing.profiles import budget_problem

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {brief(text)}") from None
    problem = budget_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def parse_set(items: list[str]) -> dict[str, str]:
    from node_timing.errors import UsageError

    overrides: dict[str, str] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise UsageError(f"--set expects COMPONENT.SETTING=VALUE, got {item!r}")
        overrides[path.strip()] = value.strip()
    return overrides


def refuse_profile_name(path: str) -> None:
    """A usage error when an inventory argument names a profile rather than a path.

    ``explain fast`` reads as "explain the fast profile"; a missing file would say only "no such
    file", so the error names the command that does it.
    """
    import os

    from node_timing import profiles
    from node_timing.errors import UsageError

    if path in profiles.names() and not os.path.lexists(path):
        raise UsageError(
            f"{path} is a profile, not an inventory: `node-timing profile {path} --nodes N` "
            "prints its settings and figures"
        )


def compute(name: str, args: argparse.Namespace) -> Any:
    """``profiles.compute`` from the shared options (--nodes, --kube-version, --set, ...), with
    every bad value turned into a usage error (one line, exit 3)."""
    from node_timing import knowledge, profiles
    from node_timing.errors import UsageError
    from node_timing.settings import SettingError

    try:
        return profiles.compute(
            name,
            args.nodes,
            kube_version=args.kube_version,
            overrides=parse_set(args.overrides),
            heartbeat_budget=args.heartbeat_budget,
        )
    except (profiles.ProfileError, knowledge.KnowledgeError, SettingError) as exc:
        raise UsageError(str(exc)) from None


def check_result(
    label: str,
    settings: Any,
    kube_version: Any,
    nodes: int | None,
    strict: bool,
    current: dict[str, Any] | None = None,
) -> tuple[int, list[str]]:
    """Run the lint rules on the kubespray variables a command produces, as ``lint`` would on an
    inventory holding them.

    Returns the exit code ``lint`` would give (2 for an error, with ``strict`` for a warning too)
    and the lines to print on stderr, one per finding: the caller prints them once its own work
    has succeeded, so that an error stays the only line.
    """
    from node_timing import kubespray
    from node_timing.config import exit_code
    from node_timing.display import printable
    from node_timing.render import role_vars
    from node_timing.rules.runner import check_host_vars

    lines = []
    if nodes is not None and nodes > TESTED_NODES:
        lines.append(
            f"node-timing: {label}: warning: {nodes:,} nodes is above the {TESTED_NODES:,} "
            "Kubernetes is tested with; the figures extrapolate"
        )
    # what render writes to kubespray/node-timing.yml: kubespray's variables and the role's own
    # (the kubelet's HTTP/2 timeouts, which kubespray has no variable for)
    variables = {
        **kubespray.to_vars(settings, current, kube_version),
        **role_vars(settings, kube_version),
    }
    findings = check_host_vars(
        variables, nodes=nodes, kube_version=str(kube_version), host=label, default_path=label
    )
    lines += [
        f"node-timing: {label}: {finding.severity} {finding.rule}: {printable(finding.message)}"
        for finding in findings
    ]
    return exit_code(findings, strict=strict), lines


def run(args: argparse.Namespace) -> int:
    from node_timing import profiles, serialize

    result = compute(args.name, args)
    data = profiles.report(result, args.lease_bytes, args.node_status_bytes)
    data["role_apply_only"] = role_apply_only(result.settings, result.kube_version)
    if args.format == "json":
        serialize.write(serialize.to_json(data))
    elif args.format == "yaml":
        serialize.write(serialize.to_yaml(data))
    else:
        serialize.write(table(data))
    code, lines = check_result(
        f"profile {args.name}", result.settings, result.kube_version, args.nodes, args.strict
    )
    for line in lines:
        print(line, file=sys.stderr)
    return code


def role_apply_only(settings: Any, kube_version: Any) -> dict[str, Any]:
    """The settings of ``settings`` that kubespray cannot deploy (the kubelet's environment), where
    they differ from what runs without the node_timing role's apply: ``{path: value}``."""
    from node_timing import knowledge

    return {
        path: settings.get(path)
        for path, fact in knowledge.setting_facts().items()
        if fact.get("environment")
        and settings.get(path) != knowledge.default_for(path, kube_version)
    }


def table(data: dict[str, Any]) -> str:
    from node_timing import serialize
    from node_timing.display import human_bytes

    lines = [
        f"profile {data['profile']} for {data['nodes']} nodes on Kubernetes {data['kube_version']}",
    ]
    if data["stretched"]:
        lines.append(f"stretched: {data['stretch']['reason']}")
    lines.append("")
    width = max(len(name) for group in data["settings"].values() for name in group)
    for component, group in data["settings"].items():
        lines.append(f"{component}:")
        for name, value in group.items():
            shown = "inherits the update frequency" if value is None else value
            if f"{component}.{name}" in data.get("role_apply_only", {}):
                shown = f"{shown}  (intended: deployed only by the node_timing role's apply)"
            lines.append(f"  {name:<{width}}  {shown}")
    f = data["figures"]
    lines += [
        "",
        "figures:",
        f"  heartbeat interval           {f['heartbeat_interval_seconds']}s "
        f"({f['heartbeats_per_grace']} heartbeats per grace period)",
        f"  dead node detected after     {f['detection_seconds_min']}s to {f['detection_seconds_max']}s",
        f"  its pods evicted after       {f['eviction_seconds_min']}s to {f['eviction_seconds_max']}s "
        f"(taint queued in the {f['taint_queued']})",
        f"  lease writes per minute      {f['lease_writes_per_minute']}",
        f"  status reports per minute    {f['status_reports_per_minute']}",
        f"  etcd writes per day          {human_bytes(f['etcd_write_bytes_per_day'])}",
        "",
        f"model: {data['eviction_model']}",
        "not in the eviction figure:",
        *(f"  - {c}" for c in data["caveats"]),
        "",
        "kubespray group_vars (group_vars/k8s_cluster/node-timing.yml):",
    ]
    if data.get("role_apply_only"):
        lines[-1:-1] = [
            "kubespray has no variable for the kubelet's environment: the values marked intended "
            "run only after the node_timing role's apply (node_timing_http2_* variables); without "
            "it the kubelet keeps its defaults.",
            "",
        ]
    lines += [
        "  " + line for line in serialize.to_yaml(data["kubespray"]).rstrip("\n").splitlines()
    ]
    return "\n".join(lines) + "\n"
