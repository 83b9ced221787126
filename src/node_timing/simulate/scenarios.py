"""Scenarios: what breaks, when, and the summary of what the controller did about it.

Every scenario starts from a cluster in steady state; what breaks does so at ``t = 0`` and times
are reported from there. Nodes are spread evenly over ``zones`` (zone-1 gets the remainder first);
the nodes that fail are the first ones of zone-1.

- node-crash, zone-outage: ``failed`` nodes of zone-1 stop (kubelet and node gone), for good.
- cluster-outage: every node stops.
- kubelet-restart: ``failed`` kubelets stop for ``downtime``, then sync lease and status at once.
- apiserver-slow: for ``slow_for`` every lease and status request takes a latency drawn from
  ``latency``; requests slower than the heartbeat client's timeout fail. No node is broken, so
  every NotReady is a false alarm.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from node_timing import durations, knowledge
from node_timing.knowledge import KubeVersion
from node_timing.settings import Settings
from node_timing.simulate.model import Simulation
from node_timing.simulate.values import Event, Params

SCENARIOS = ("node-crash", "zone-outage", "cluster-outage", "apiserver-slow", "kubelet-restart")

# Bounds that keep one run to seconds and memory to megabytes (docs/limits.md, "Limits and bad input").
MAX_NODES = 100_000
MAX_ZONES = 1_000
MAX_RUNS = 1_000
MAX_HORIZON_SECONDS = 24 * 3600
# Steps over all runs (estimated_work): about a minute on a loaded two-core machine at most.
MAX_WORK = 1_500_000


class ScenarioError(ValueError):
    """A scenario that cannot be run as asked (one line for the user)."""


@dataclass(frozen=True)
class Latency:
    """A latency distribution: ``fixed:8s``, ``uniform:2s:12s`` or ``exp:5s`` (mean)."""

    kind: str
    a: float
    b: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Latency:
        kind, _, rest = text.strip().partition(":")
        parts = rest.split(":") if rest else []
        want = {"fixed": 1, "exp": 1, "uniform": 2}
        if kind not in want or len(parts) != want[kind]:
            raise ScenarioError(
                f"--latency expects fixed:DURATION, exp:MEAN or uniform:LOW:HIGH, got {text!r}"
            )
        try:
            values = [durations.parse(p.strip()) / durations.SECOND for p in parts]
        except durations.DurationError as exc:
            raise ScenarioError(f"--latency: {exc}") from None
        if any(v < 0 or v > MAX_HORIZON_SECONDS for v in values):
            raise ScenarioError(f"--latency durations must be within 0s and 24h, got {text!r}")
        if kind == "uniform" and values[0] > values[1]:
            raise ScenarioError(f"--latency uniform:LOW:HIGH needs LOW <= HIGH, got {text!r}")
        return cls(kind, values[0], values[1] if len(values) > 1 else 0.0)

    def draw(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        return rng.expovariate(1 / self.a) if self.a > 0 else 0.0

    def __str__(self) -> str:
        if self.kind == "uniform":
            return f"uniform {self.a:g}s to {self.b:g}s"
        return f"{'exponential, mean' if self.kind == 'exp' else 'fixed'} {self.a:g}s"


@dataclass(frozen=True)
class Scenario:
    name: str
    nodes: int
    zones: int = 1
    failed: int | None = None  # None: the scenario's default
    horizon: float = 1800.0
    downtime: float = 30.0
    slow_for: float = 60.0
    latency: Latency = field(default_factory=lambda: Latency("exp", 8.0))
    # The controller's API budget (values.Params): Ready pods per node, --kube-api-qps/-burst.
    pods_per_node: int = 0
    api_qps: float = 20.0
    api_burst: int = 30

    def params(self, settings: Settings, kube_version: KubeVersion | None = None) -> Params:
        """The model's parameters: the settings' timing and this scenario's API budget."""
        return replace(
            Params.from_settings(settings, kube_version),
            pods_per_node=self.pods_per_node,
            api_qps=self.api_qps,
            api_burst=self.api_burst,
        )

    def zone_sizes(self) -> dict[str, int]:
        base, extra = divmod(self.nodes, self.zones)
        return {f"zone-{i + 1}": base + (1 if i < extra else 0) for i in range(self.zones)}

    def failed_count(self) -> int:
        first = self.zone_sizes()["zone-1"]
        if self.name == "cluster-outage":
            return self.nodes
        if self.name == "apiserver-slow":
            return 0
        if self.failed is None:
            return first if self.name == "zone-outage" else 1
        return self.failed

    def check(self) -> None:
        if self.name not in SCENARIOS:
            raise ScenarioError(f"unknown scenario {self.name!r}; known: {', '.join(SCENARIOS)}")
        if not 1 <= self.nodes <= MAX_NODES:
            raise ScenarioError(f"--nodes must be within 1 and {MAX_NODES:,}, got {self.nodes}")
        if not 1 <= self.zones <= min(MAX_ZONES, self.nodes):
            raise ScenarioError(
                f"--zones must be within 1 and {min(MAX_ZONES, self.nodes):,} (one node per "
                f"zone at least), got {self.zones}"
            )
        if self.failed is not None and self.name in ("cluster-outage", "apiserver-slow"):
            raise ScenarioError(f"--failed does not apply to {self.name}")
        first = self.zone_sizes()["zone-1"]
        if not 0 <= self.failed_count() <= (self.nodes if self.name == "cluster-outage" else first):
            raise ScenarioError(
                f"--failed must be within 0 and the {first:,} nodes of zone-1, got {self.failed}"
            )


@dataclass(frozen=True)
class Outcome:
    """One run: its events, the renewals of the sample nodes, and how much work it was."""

    seed: int
    events: list[Event]
    renewals: dict[str, list[float]]
    groups: dict[str, list[str]]  # lane name -> tracked node names
    zone_sizes: dict[str, int]
    processed: int
    writes: int = 0  # the node lifecycle controller's API writes


def _tracked(
    s: Scenario, p: Params, aggregate: bool = True
) -> tuple[dict[str, list[str]], list[str], bool]:
    """Tracked node names per zone, the failed ones, and whether healthy nodes are tracked."""
    jitter = float(knowledge.constraint("lease_renew_jitter"))
    # The aggregation argument (model docstring) holds only for an undisturbed kubelet whose
    # renewal gap stays within grace; otherwise every node is simulated.
    everyone = not aggregate or s.name == "apiserver-slow" or p.renew * (1 + jitter) > p.grace
    sizes = s.zone_sizes()
    failed = (
        [f"zone-1/node-{i + 1}" for i in range(s.failed_count())]
        if s.name != "cluster-outage"
        else []
    )
    tracked: dict[str, list[str]] = {}
    for zone, size in sizes.items():
        if everyone or s.name == "cluster-outage":
            count = size
        else:
            count = len(failed) if zone == "zone-1" else 0
        tracked[zone] = [f"{zone}/node-{i + 1}" for i in range(count)]
    if s.name == "cluster-outage":
        failed = [n for names in tracked.values() for n in names]
    return tracked, failed, everyone


# A monitor pass decides every zone's state (nodelifecycle's handleDisruption): a zone costs
# about a quarter of a step per pass (measured: 0.8 to 1.8 µs against 6.5 µs per step), counted
# at 0.3 so that the estimate stays above the time it stands for.
ZONE_STEP = 0.3


def estimated_work(s: Scenario, p: Params, runs: int) -> float:
    """Steps the runs would take (the sum of :func:`work_terms`). MAX_WORK applies to this."""
    return sum(work_terms(s, p, runs).values())


def work_terms(s: Scenario, p: Params, runs: int) -> dict[str, float]:
    """The steps of the runs by what they grow with: ``nodes`` (kubelet loop events of the
    tracked nodes while they are alive, a dead kubelet has none; half a step per node a monitor
    pass looks at), ``zones`` (each pass decides each zone's state) and ``passes`` (the monitor
    loop itself). Every term grows with the runs and the duration. The controller's API writes
    are no steps (a node's writes are one sum; a pass slowed by them is one more step and passes
    that last longer are fewer than the period allows), so this stays an upper bound."""
    tracked, failed, _ = _tracked(s, p)
    count = sum(len(v) for v in tracked.values())
    dead = 0 if s.name == "kubelet-restart" else len(failed)
    before = warmup(p)
    after = s.horizon
    jitter = float(knowledge.constraint("lease_renew_jitter"))
    if s.name == "apiserver-slow" and p.renew * (1 + jitter) <= p.grace:
        # healthy nodes are let go a few renewals after the apiserver is fast again
        retries = float(knowledge.constraint("lease_update_retries"))
        after = min(
            after, s.slow_for + retries * p.timeout + 3 * p.renew * 1.04 + 2 * p.monitor_period
        )
    per_second = 1 / max(p.renew, 1e-3) + 1 / max(p.status_update, 1e-3)
    kubelet = (count - dead) * (before + after) * per_second + dead * before * per_second
    # a dead node is looked at until it is NotReady and queued, then it sleeps (model.Zone)
    looked = (count - dead) * (before + after) + dead * (before + p.grace + 2 * p.monitor_period)
    passes = (before + after) / max(p.monitor_period, 1e-3) + 1  # one at each end
    return {
        "nodes": runs * (kubelet + looked / max(p.monitor_period, 1e-3) / 2),
        "zones": runs * passes * s.zones * ZONE_STEP,
        "passes": runs * passes / 2,
    }


def too_much_advice(terms: dict[str, float]) -> str:
    """What lowers the work: fewer runs or a shorter duration always; fewer zones or nodes only
    when they are a tenth of it or more (fewer nodes does nothing when only the failed ones are
    simulated)."""
    total = sum(terms.values()) or 1.0
    advice = ["fewer --runs", "a shorter --duration"]
    advice += [f"fewer --{term}" for term in ("zones", "nodes") if terms[term] >= total / 10]
    return ", ".join(advice[:-1]) + " or " + advice[-1]


def warmup(p: Params) -> float:
    """Seconds of steady state before t = 0: two renewal and status cycles and two passes."""
    return 2 * 1.04 * max(p.renew, p.status_update) + 2 * p.monitor_period


def run_once(
    s: Scenario,
    settings: Settings,
    seed: int,
    *,
    aggregate: bool = True,
    kube_version: KubeVersion | None = None,
) -> Outcome:
    """One seeded run at ``kube_version`` (default: the newest kubespray supports).
    ``aggregate=False`` simulates every healthy node too (the benchmark's and the equivalence
    test's alternative): the failed nodes' events are the same."""
    p = s.params(settings, kube_version)
    tracked, failed, everyone = _tracked(s, p, aggregate)
    sizes = s.zone_sizes()  # once: a zone's lookup must not rebuild every zone
    groups: dict[str, list[str]] = {}
    failed_set = set(failed)
    for zone, names in tracked.items():
        broken = [n for n in names if n in failed_set]
        healthy = [n for n in names if n not in failed_set]
        if broken:
            groups[f"{zone} failed ({len(broken)})"] = broken
        size = sizes[zone]
        if size - len(broken) > 0:
            label = f"{zone} healthy ({size - len(broken)}{'' if everyone else ', aggregated'})"
            groups[label] = healthy
    samples = frozenset(names[0] for names in groups.values() if names)
    sim = Simulation(
        p,
        sizes,
        tracked,
        seed=seed,
        start=-warmup(p),
        horizon=s.horizon,
        samples=samples,
        release=aggregate
        and p.renew * (1 + float(knowledge.constraint("lease_renew_jitter"))) <= p.grace,
    )
    broken_nodes = [sim.nodes[n] for n in failed]
    if s.name in ("node-crash", "zone-outage", "cluster-outage", "kubelet-restart"):
        sim.at(0.0, _each(broken_nodes, sim.crash))
    if s.name == "kubelet-restart":
        sim.at(s.downtime, _each(broken_nodes, sim.restart))
    if s.name == "apiserver-slow":
        latency, end = s.latency, s.slow_for

        def start_slow(sim: Simulation) -> None:
            sim.latency = latency.draw
            sim.slow_until = end
            sim.record("slow_start", None, str(latency))

        sim.at(0.0, start_slow)
        sim.at(end, lambda sim: sim.record("slow_end"))
    sim.run()
    return Outcome(seed, sim.events, sim.renewals, groups, sizes, sim.processed, sim.api.writes)


def _each(nodes: list[Any], action: Callable[[Any], None]) -> Callable[[Simulation], None]:
    def apply(_: Simulation) -> None:
        for node in nodes:
            action(node)

    return apply


def summary(outcome: Outcome) -> dict[str, Any]:
    """The headline of one run (times in seconds from t = 0, rounded to 0.1 s)."""
    crashed: set[str] = set()
    detected: dict[str, float] = {}
    false_alarms: set[str] = set()
    evictions: list[float] = []
    for e in outcome.events:
        if e.kind == "crash" and e.node:
            crashed.add(e.node)
        elif e.kind == "not_ready" and e.node:
            if e.node in crashed:
                detected.setdefault(e.node, e.t)
            else:
                false_alarms.add(e.node)
        elif e.kind == "evict":
            evictions.append(e.t)
    times = sorted(detected.values())
    return {
        "detection_seconds": {
            "min": _r(times[0]) if times else None,
            "median": _r(_median(times)) if times else None,
            "max": _r(times[-1]) if times else None,
        },
        "detected_nodes": len(times),
        "last_detection_seconds": _r(times[-1]) if times else None,
        "evicted_nodes": len(evictions),
        "first_eviction_seconds": _r(min(evictions)) if evictions else None,
        "last_eviction_seconds": _r(max(evictions)) if evictions else None,
        "false_not_ready": len(false_alarms),
        "controller_writes": outcome.writes,
    }


def distribution(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Min, median and max over runs of each number of the summaries."""
    out: dict[str, Any] = {}
    # (summary key, key inside it or None)
    keys: dict[str, tuple[str, str | None]] = {
        "detection_seconds_median": ("detection_seconds", "median"),
        "detection_seconds_max": ("detection_seconds", "max"),
        "evicted_nodes": ("evicted_nodes", None),
        "first_eviction_seconds": ("first_eviction_seconds", None),
        "last_eviction_seconds": ("last_eviction_seconds", None),
        "false_not_ready": ("false_not_ready", None),
        "controller_writes": ("controller_writes", None),
    }
    for name, (key, inner) in keys.items():
        picked = (s[key] if inner is None else s[key][inner] for s in summaries)
        values = sorted(v for v in picked if v is not None)
        out[name] = (
            {"min": values[0], "median": _r(_median(values)), "max": values[-1]} if values else None
        )
        if len(values) != len(summaries) and values:
            out[name]["runs_without"] = len(summaries) - len(values)
    return out


def _r(value: float) -> float:
    rounded = round(value, 1)
    return 0.0 if rounded == 0 or math.isclose(rounded, 0.0) else rounded


def _median(values: list[float]) -> float:
    """The median of sorted ``values`` (statistics would import decimal and fractions)."""
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


# Work a headline may take (explain runs it for up to 4 groups of hosts): a few hundred
# milliseconds: clusters up to about 5,000 nodes (healthy nodes are aggregated).
HEADLINE_WORK = 250_000


def headline(
    settings: Settings, nodes: int, seed: int = 1, kube_version: KubeVersion | None = None
) -> dict[str, Any] | None:
    """Two standard scenarios next to the closed form: one node crashing, and 5% of the nodes
    (at least one) of a one-zone cluster going down together. None when there is no node or
    the run would be too long for a summary."""
    if not 1 <= nodes <= MAX_NODES:
        return None
    p = Params.from_settings(settings, kube_version)
    crash = Scenario("node-crash", nodes)
    outage = Scenario("zone-outage", nodes, failed=max(1, round(nodes * 0.05)))
    if estimated_work(crash, p, 1) + estimated_work(outage, p, 1) > HEADLINE_WORK:
        return None
    return {
        "seed": seed,
        "node_crash": summary(run_once(crash, settings, seed, kube_version=kube_version)),
        "zone_outage_5_percent": {
            "failed": outage.failed_count(),
            **summary(run_once(outage, settings, seed, kube_version=kube_version)),
        },
    }
