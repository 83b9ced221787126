"""``node-timing simulate``: run an outage through a model of the node lifecycle controller.

Settings come from a profile (``--profile NAME --nodes N``) or an inventory (``--inventory
PATH``, with the node count ``lint`` gives it; ``--nodes N`` replaces that count, as in ``lint``),
read by the same helpers as ``render``. The model and its sources are in
``node_timing.simulate.model``.
"""

from __future__ import annotations

import argparse
from typing import Any

from node_timing.commands._project import add_settings_options
from node_timing.commands.profile import _count
from node_timing.errors import UsageError

DESCRIPTION = (
    "Simulate an outage (node-crash, zone-outage, cluster-outage, apiserver-slow, "
    "kubelet-restart): kubelets renewing leases, the node lifecycle controller's monitor loop, "
    "zone states, the rate-limited taint queue and toleration-based eviction. Seeded and "
    "reproducible; prints a timeline, a JSON report or an SVG picture. Exit 3 on bad arguments."
)

# Shown by --help and run from the repository root by the test suite.
EXAMPLES = """\
examples (from the repository root):
  node-timing simulate --profile medium --nodes 1000 --scenario node-crash
  node-timing simulate --profile upstream --nodes 1000 --scenario zone-outage --zones 3 --failed 40 --format json
  node-timing simulate --inventory examples/inventory/mycluster --scenario apiserver-slow --runs 20
"""

_MAX_SEED = (1 << 32) - 1
# The Ready pods a node holds when --pods-per-node is not given (docs/simulate.md says why).
PODS_PER_NODE = 30


def _positive(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= 10**6):
        raise argparse.ArgumentTypeError(f"expected a number > 0 and at most 1e6, got {text!r}")
    return value


def _api_budget(args: argparse.Namespace, extra: dict[str, Any] | None) -> tuple[float, int]:
    """--kube-api-qps/--kube-api-burst, else the inventory's controller extra args, else the
    controller-manager's defaults."""
    from node_timing import knowledge

    given = (extra or {}).get("kube_kubeadm_controller_extra_args") or {}
    out: list[float] = []
    for flag, key in (("--kube-api-qps", "kube-api-qps"), ("--kube-api-burst", "kube-api-burst")):
        value = getattr(args, flag[2:].replace("-", "_"))
        if value is None and key in given:
            try:
                value = _positive(str(given[key]))
            except argparse.ArgumentTypeError as exc:
                raise UsageError(f"kube_kubeadm_controller_extra_args {key}: {exc}") from None
        out.append(
            float(knowledge.constraint(f"controller_{key.replace('-', '_')}"))
            if value is None
            else value
        )
    if out[1] < 1 or not float(out[1]).is_integer():
        raise UsageError(f"kube-api-burst must be a whole number >= 1, got {out[1]:g}")
    return out[0], int(out[1])


def add_arguments(p: argparse.ArgumentParser) -> None:
    from node_timing.simulate.scenarios import MAX_RUNS, MAX_ZONES, SCENARIOS

    add_settings_options(
        p,
        "settings (--profile NAME --nodes N, or --inventory PATH)",
        "number of nodes in the cluster (with --inventory: instead of the inventory's count)",
    )
    run = p.add_argument_group("scenario")
    run.add_argument("--scenario", choices=SCENARIOS, default="node-crash")
    run.add_argument(
        "--zones", type=lambda t: _count(t, MAX_ZONES), default=1, help="zones (default 1)"
    )
    run.add_argument(
        "--failed",
        type=lambda t: _count(t, 10**6),
        help="nodes of zone-1 that fail (node-crash, kubelet-restart: 1; zone-outage: all)",
    )
    run.add_argument(
        "--duration", default="30m", help="time simulated after the failure (default 30m)"
    )
    run.add_argument(
        "--downtime", default="30s", help="kubelet-restart: how long it is away (default 30s)"
    )
    run.add_argument(
        "--slow-for", default="1m", help="apiserver-slow: how long it is slow (default 1m)"
    )
    run.add_argument(
        "--latency",
        default="exp:8s",
        help="apiserver-slow: request latency, fixed:8s, exp:MEAN or uniform:LOW:HIGH "
        "(default exp:8s)",
    )
    api = p.add_argument_group("the node lifecycle controller's API budget")
    api.add_argument(
        "--pods-per-node",
        type=lambda t: _count(t, 10**4),
        default=PODS_PER_NODE,
        help="Ready pods on each node: one status write each when it is marked NotReady "
        f"(default {PODS_PER_NODE})",
    )
    api.add_argument(
        "--kube-api-qps",
        type=_positive,
        help="kube-controller-manager --kube-api-qps (default: the inventory's "
        "kube_kubeadm_controller_extra_args, else 20)",
    )
    api.add_argument(
        "--kube-api-burst",
        type=lambda t: _count(t, 10**6),
        help="kube-controller-manager --kube-api-burst (default: the inventory's, else 30)",
    )
    run.add_argument(
        "--seed", type=lambda t: _count(t, _MAX_SEED), default=1, help="random seed (default 1)"
    )
    run.add_argument(
        "-q", "--quiet", action="store_true", help="no progress line on a terminal's stderr"
    )
    run.add_argument(
        "--runs",
        type=lambda t: _count(t, MAX_RUNS),
        default=1,
        help="runs with seeds SEED, SEED+1, ...: min/median/max over them",
    )
    p.add_argument("--format", choices=("text", "json", "svg"), default="text")


def _seconds(flag: str, text: str, *, zero: bool = False) -> float:
    from node_timing import durations
    from node_timing.simulate.scenarios import MAX_HORIZON_SECONDS

    try:
        ns = durations.parse(text.strip())
    except durations.DurationError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    seconds = ns / durations.SECOND
    if seconds < 0 or (seconds == 0 and not zero) or seconds > MAX_HORIZON_SECONDS:
        raise UsageError(f"{flag} must be longer than 0s and at most 24h, got {text!r}")
    return seconds


def _settings(args: argparse.Namespace) -> tuple[Any, Any, dict[str, Any]]:
    """Settings, version and where they come from, through ``render``'s helper."""
    from node_timing.commands.render import _settings as render_settings

    if args.inventory is not None:
        # The inventory's node count, as lint counts it; --nodes, as lint's --nodes, replaces it.
        settings, version, extra, nodes = render_settings(
            argparse.Namespace(**{**vars(args), "nodes": None})
        )
        if args.nodes is None:
            args.nodes = nodes
        args.api_budget = _api_budget(args, extra)
        return settings, version, {"inventory": args.inventory}
    if args.nodes is None:
        raise UsageError("simulate needs --nodes N with --profile NAME")
    from node_timing.commands.profile import compute

    render_settings(args)  # the same checks as render's
    args.api_budget = _api_budget(args, None)
    result = compute(args.profile, args)
    # The settings simulated, and whether the profile was stretched to fit the heartbeat budget.
    stretch = {"stretched": result.stretch is not None}
    if result.stretch is not None:
        stretch["stretch"] = result.stretch.to_dict()
    return result.settings, result.kube_version, {"profile": args.profile, "_stretch": stretch}


def run(args: argparse.Namespace) -> int:
    from node_timing import figures, serialize
    from node_timing.display import printable
    from node_timing.simulate import scenarios as sc
    from node_timing.simulate import svg, timeline

    settings, version, head = _settings(args)
    try:
        scenario = sc.Scenario(
            name=args.scenario,
            nodes=args.nodes,
            zones=args.zones,
            failed=args.failed,
            horizon=_seconds("--duration", args.duration),
            downtime=_seconds("--downtime", args.downtime),
            slow_for=_seconds("--slow-for", args.slow_for),
            latency=sc.Latency.parse(args.latency),
            pods_per_node=args.pods_per_node,
            api_qps=args.api_budget[0],
            api_burst=args.api_budget[1],
        )
        scenario.check()
    except sc.ScenarioError as exc:
        raise UsageError(str(exc)) from None
    if args.runs < 1:
        raise UsageError(f"--runs must be at least 1, got {args.runs}")
    params = scenario.params(settings, version)
    terms = sc.work_terms(scenario, params, args.runs)
    work = sum(terms.values())
    if work > sc.MAX_WORK:
        raise UsageError(
            f"too much to simulate: about {work:,.0f} kubelet and controller steps (at most "
            f"{sc.MAX_WORK:,}); use {sc.too_much_advice(terms)}"
        )
    from node_timing.progress import Progress

    outcomes = []
    with Progress("simulate", quiet=args.quiet) as progress:
        for i in range(args.runs):
            progress.update(i, args.runs, "runs")
            outcomes.append(sc.run_once(scenario, settings, args.seed + i, kube_version=version))
    summaries = [sc.summary(o) for o in outcomes]
    head = {
        **head,
        "kube_version": str(version),
        "closed_form": {
            k: v
            for k, v in figures.compute(settings, args.nodes, kube_version=version)
            .to_dict()
            .items()
            if k
            in (
                "detection_seconds_min",
                "detection_seconds_max",
                "eviction_seconds_min",
                "eviction_seconds_max",
                "taint_queued",
            )
        },
    }
    dist = sc.distribution(summaries) if args.runs > 1 else None
    stretch = head.pop("_stretch", {"stretched": False})
    doc = timeline.document(scenario, params, head, outcomes[0], summaries[0], dist, args.runs)
    doc["model"].update(stretch)
    if args.format == "json":
        serialize.write(serialize.to_json(doc))
    elif args.format == "svg":
        serialize.write(svg.render(doc, outcomes[0]))
    else:
        serialize.write(printable(timeline.text(doc, outcomes[0]), keep_line_ends=True))
    return 0
