"""The discrete-event model: kubelets renewing leases and posting status, the node lifecycle
controller's monitor loop, zone states, the per-zone rate-limited taint queue and toleration-based
eviction. Times are float seconds; each rule names the upstream code it follows (paths in
kubernetes/kubernetes, Kubernetes 1.24 to 1.37, where these rules did not change).

Kubelet (lease and status):
- The lease is renewed every ``renew = lease duration * 0.25`` (pkg/kubelet/kubelet.go
  nodeLeaseRenewIntervalFraction), waiting ``renew * (1 + 0.04 U)`` after each sync returns
  (component-helpers/apimachinery/lease/controller.go: ``wait.JitterUntil(sync, renewInterval,
  0.04, sliding=true)``). A sync makes up to 5 successive update attempts (maxUpdateRetries) when
  one fails.
- Node status is synced every ``nodeStatusUpdateFrequency`` (same jitter) and written when the
  Ready condition differs from what the apiserver holds or the report frequency has passed since
  the last report (pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus); up to 5 attempts
  (nodeStatusUpdateRetry).
- Both go through the heartbeat client whose timeout is ``min(nodeStatusUpdateFrequency, lease
  duration)`` (cmd/kubelet/app/server.go): a request slower than that fails.

Controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go):
- monitorNodeHealth runs under ``wait.UntilWithContext`` (sliding): the next pass starts
  ``--node-monitor-period`` after the previous one returns. A pass takes ``monitor_pass_seconds``
  (1 ms) or as long as its API writes take, whichever is longer: marking a node Unknown is one
  node status write and MarkPodsNotReady one pod status write per Ready pod (``pods_per_node``),
  all through the controller's client limiter (values.ApiBudget, --kube-api-qps/--kube-api-burst),
  and workqueue.ParallelizeUntil returns when every node is done. A node is marked NotReady when its
  status write goes, checked against the grace at its turn in the pass (after the writes before
  it), and queued for its taint before its pods are written; the zone states are computed when
  the pass returns. Taint and untaint writes spend a token too but go at once (the
  pass's 8 workers hold at most 8 writes ahead of them: 0.4 s at 20 qps). tryUpdateNodeHealth stamps ``probeTimestamp = now`` when it sees a newer lease renewTime
  or status heartbeat, then marks the Ready condition Unknown when ``now`` is strictly after
  ``probeTimestamp + grace``: the pass ``ceil(grace / period)`` passes after the probe already
  does. Grace is ``--node-startup-grace-period`` for a node that never posted a Ready condition.
- processTaintBaseEviction adds an Unknown node to its zone's taint queue (a unique queue: a
  tainted node is not added again until it is Ready), and marks a Ready node reachable: taint
  removed, node removed from the queue. Before Kubernetes 1.34 it is given the Ready condition
  the pass read, before the pass's own update (``&observedReadyCondition``): a node marked
  Unknown is queued by the next pass (issue #120815); from 1.34 (PR #120816) by the same pass.
- After the pass, handleDisruption computes each zone's state (ComputeZoneState: FullDisruption
  when no node is Ready, PartialDisruption when more than 2 are not Ready and their share is at
  least ``--unhealthy-zone-threshold``, else Normal) and swaps the zone's limiter: Normal and
  FullDisruption at ``--node-eviction-rate``, PartialDisruption at
  ``--secondary-node-eviction-rate`` when the zone has more than ``--large-cluster-size-threshold``
  nodes, else 0 (ReducedQPSFunc). When every zone is fully disrupted all taints are removed and
  every limiter set to 0; leaving that mode stamps every node's probe time with now.
- doNoExecuteTaintingPass runs every 100 ms; RateLimitedTimedQueue.Try takes a token per queued
  node (token bucket, burst 1, starting full) and stops at the first refusal; a node no longer
  NotReady is dropped without a taint.

Taint eviction (pkg/controller/tainteviction): a pod on a node tainted NoExecute is deleted
``toleration seconds`` after the taint (the DefaultTolerationSeconds admission plugin gives every
pod ``--default-unreachable-toleration-seconds`` for the unreachable taint); removing the taint
first cancels it.

Healthy nodes are aggregated: a node that only renews, with ``renew * 1.04 <= grace``, can never
be marked (its probe time is never more than one renewal gap old when a pass looks), so it is
counted as Ready without an event. Every other node is tracked renewal by renewal, and a node
healthy again after a slow apiserver is let go once its last renewal came from a sync without
latency (``_release``). The tests run scenarios both ways and compare the events.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from node_timing import knowledge
from node_timing.simulate.values import (
    FULL,
    INITIAL,
    NORMAL,
    PARTIAL,
    ApiBudget,
    Bucket,
    Event,
    Params,
)

# Event kinds on the heap, in the order they run when due at the same instant: a scenario's
# change first, then kubelet writes, the controller's pass, taints and pod deletions.
_SCENARIO, _LEASE, _STATUS, _PASS, _TAINT, _EVICT = range(6)


@dataclass
class Node:
    name: str
    zone: str
    alive: bool = True
    new: bool = False  # never posted a Ready condition: the startup grace applies
    sample: bool = False  # its renewals are recorded for the picture
    signals: int = 0  # lease renewals and status heartbeats that reached the apiserver
    seen: int = 0  # ... of which the controller has looked at
    probe: float = 0.0
    ready: bool = True  # the Ready condition in the apiserver
    posted_ready: bool = False  # a status write since the controller marked it Unknown
    tainted: bool = False
    taint_id: int = 0
    in_set: bool = False  # in the zone's unique queue's set (queued or already tainted)
    queued_at: float = 0.0  # when the pass that queued it had written its status and pods
    last_report: float = 0.0
    epoch: int = 0  # bumped on crash/restart: a kubelet loop of an older epoch is stale
    failed: bool = False  # the scenario broke it (its NotReady is no false alarm)
    evicted: bool = False
    clean: bool = False  # its last renewal came from a sync without apiserver latency
    # Each kubelet draws from its own stream (seeded by the run's seed and its name): a node
    # behaves the same whether its healthy neighbours are simulated or aggregated.
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)


@dataclass
class Zone:
    name: str
    size: int
    nodes: list[Node] = field(default_factory=list)  # tracked ones; the rest are Ready
    # Tracked nodes a pass has nothing to do for: dead, NotReady, queued or tainted, nothing
    # new seen. They count as not Ready; a restart, a late write or the full-disruption reset
    # wakes them. A pass then costs the nodes that can change, not every dead one.
    dormant: dict[str, Node] = field(default_factory=dict)
    state: str = INITIAL
    limiter: Bucket | None = None
    queue: dict[str, Node] = field(default_factory=dict)  # insertion-ordered unique queue


LatencyFn = Callable[[random.Random], float]


class Simulation:
    """One seeded run. Build it, add scenario actions with :meth:`at`, then :meth:`run`."""

    def __init__(
        self,
        params: Params,
        zones: dict[str, int],
        tracked: dict[str, list[str]],
        *,
        seed: int,
        start: float,
        horizon: float,
        samples: frozenset[str] = frozenset(),
        release: bool = False,
    ) -> None:
        self.p = params
        self.rng = random.Random(seed)
        self.start = start
        self.horizon = horizon
        self.now = start
        self.events: list[Event] = []
        self.renewals: dict[str, list[float]] = {}
        # Requests that start before ``slow_until`` take ``latency``; the apiserver-slow scenario
        # sets both.
        self.latency: LatencyFn | None = None
        self.slow_until = float("-inf")
        # Let go of nodes that are healthy again once the apiserver is fast (see _release).
        self.release = release
        self.processed = 0
        self._heap: list[tuple[float, int, int, object]] = []
        self._seq = 0
        self._taint_tick: float | None = None
        self._jitter = float(knowledge.constraint("lease_renew_jitter"))
        self._retries = int(knowledge.constraint("lease_update_retries"))
        self._taint_period = float(knowledge.constraint("taint_pass_seconds"))
        self._pass_seconds = float(knowledge.constraint("monitor_pass_seconds"))
        self.api = ApiBudget(params.api_qps, params.api_burst, start)
        self.nodes: dict[str, Node] = {}
        self.zones: dict[str, Zone] = {}
        for name, size in zones.items():
            zone = Zone(name, size, limiter=Bucket(params.eviction_rate, start))
            for node_name in tracked.get(name, []):
                node = Node(node_name, name, sample=node_name in samples)
                node.rng.seed(f"{seed}/{node_name}")
                zone.nodes.append(node)
                self.nodes[node_name] = node
                self.renewals[node_name] = []
            self.zones[name] = zone
        # A cluster in steady state: every kubelet somewhere in its renewal and status cycles,
        # the monitor loop somewhere in its period.
        self._pass_offset = self.rng.uniform(0, params.monitor_period)
        self._push(start + self._pass_offset, _PASS, None)
        for node in self.nodes.values():
            rng = node.rng
            node.last_report = start - rng.uniform(0, params.status_report)
            self._push(start + rng.uniform(0, params.renew), _LEASE, (node, node.epoch))
            self._push(start + rng.uniform(0, params.status_update), _STATUS, (node, 0))

    # -- the queue of events -------------------------------------------------------------------

    def _push(self, t: float, kind: int, payload: object) -> None:
        if t <= self.horizon:
            self._seq += 1
            heapq.heappush(self._heap, (t, kind, self._seq, payload))

    def at(self, t: float, action: Callable[[Simulation], None]) -> None:
        """Run ``action(self)`` at ``t`` (a scenario's crash, restart or slow apiserver)."""
        self._push(t, _SCENARIO, action)

    def run(self) -> None:
        heap = self._heap
        while heap:
            t, kind, _, payload = heapq.heappop(heap)
            self.now = t
            self.processed += 1
            if kind == _LEASE:
                self._lease(*payload)  # type: ignore[misc]
            elif kind == _STATUS:
                self._status(*payload)  # type: ignore[misc]
            elif kind == _PASS:
                self._monitor_pass()
            elif kind == _TAINT:
                self._tainting_pass()
            elif kind == _EVICT:
                self._evict(*payload)  # type: ignore[misc]
            else:
                payload(self)  # type: ignore[operator]
        self.events.sort(key=lambda e: e.t)  # a node is marked when its write goes, after the pass

    def record(
        self, kind: str, node: Node | None = None, detail: str | None = None, t: float | None = None
    ) -> None:
        self.events.append(
            Event(
                self.now if t is None else t,
                kind,
                node.name if node else None,
                node.zone if node else None,
                detail,
            )
        )

    # -- kubelet -------------------------------------------------------------------------------

    def _attempts(self, start: float, rng: random.Random) -> tuple[float, bool]:
        """When a sync of up to N attempts ends, and whether one of them reached the apiserver."""
        t = start
        for _ in range(self._retries):
            took = self.latency(rng) if self.latency and t < self.slow_until else 0.0
            if took < self.p.timeout:
                return t + took, True
            t += self.p.timeout
        return t, False

    def _lease(self, node: Node, epoch: int) -> None:
        if epoch != node.epoch or not node.alive:
            return
        end, ok = self._attempts(self.now, node.rng)
        if ok:
            clean = self.now >= self.slow_until
            self._push(end, _SCENARIO, _Landing(node, epoch, renewal=True, clean=clean))
        self._push(
            end + self.p.renew * (1 + self._jitter * node.rng.random()), _LEASE, (node, epoch)
        )

    def _status(self, node: Node, epoch: int) -> None:
        if epoch != node.epoch or not node.alive:
            return
        end = self.now
        due = self.now >= node.last_report + self.p.status_report
        if due or not node.ready:
            end, ok = self._attempts(self.now, node.rng)
            if ok:
                node.last_report = self.now
                self._push(end, _SCENARIO, _Landing(node, epoch, renewal=False, clean=False))
        wait = self.p.status_update * (1 + self._jitter * node.rng.random())
        self._push(end + wait, _STATUS, (node, epoch))

    def crash(self, node: Node) -> None:
        node.alive = False
        node.failed = True
        node.epoch += 1
        self.record("crash", node)

    def restart(self, node: Node) -> None:
        """The kubelet starts again: it syncs its lease and its status at once."""
        node.alive = True
        node.epoch += 1
        self.wake(node)
        self.record("restart", node)
        self._push(self.now, _LEASE, (node, node.epoch))
        self._push(self.now, _STATUS, (node, node.epoch))

    # -- controller ----------------------------------------------------------------------------

    def _monitor_pass(self) -> None:
        now, p = self.now, self.p
        done = now  # when the writes asked so far have gone
        for zone in self.zones.values():
            sleepy = False
            for node in zone.nodes:
                if node.signals != node.seen:
                    node.seen = node.signals
                    node.probe = now
                if node.posted_ready and not node.ready:
                    node.ready = True
                    node.posted_ready = False
                    self.record("ready", node)
                observed = node.ready  # the condition as the pass read it (kubelet writes in)
                grace = p.startup_grace if node.new else p.grace
                queued = done  # processTaintBaseEviction comes before MarkPodsNotReady
                if (
                    node.ready and done > node.probe + grace
                ):  # a node's check is as late as its turn
                    node.ready = False
                    node.posted_ready = False
                    queued = done = self.api.spend(now)
                    self.record("not_ready", node, None if node.failed else "false alarm", done)
                    if p.pods_per_node:
                        done = self.api.spend(now, p.pods_per_node)
                if observed if p.taint_next_pass else node.ready:
                    self._reachable(zone, node)
                elif not node.in_set:
                    node.in_set = True
                    node.queued_at = queued
                    zone.queue[node.name] = node
                sleepy = sleepy or not node.alive
            if sleepy:
                self._doze(zone)
        if done > now + self._pass_seconds:  # the pass returns when its writes are done
            self._push(done, _SCENARIO, Simulation._pass_returns)
        else:
            self._pass_returns(now + self._pass_seconds)

    def _pass_returns(self, returned: float | None = None) -> None:
        """After the pass: zone states, and the next pass a period after it returns."""
        self._handle_disruption()
        if self.release and self.latency is not None and self.now >= self.slow_until:
            self._release()
        self._schedule_taint_pass()
        self._push((returned or self.now) + self.p.monitor_period, _PASS, None)

    def _doze(self, zone: Zone) -> None:
        keep = []
        for node in zone.nodes:
            if not node.alive and not node.ready and node.in_set and node.seen == node.signals:
                zone.dormant[node.name] = node
            else:
                keep.append(node)
        zone.nodes = keep

    def wake(self, node: Node) -> None:
        zone = self.zones[node.zone]
        if zone.dormant.pop(node.name, None) is not None:
            zone.nodes.append(node)

    def _release(self) -> None:
        """Stop simulating nodes that are as good as aggregated again: alive, Ready, untainted,
        out of the queue, and whose last renewal (seen by this pass) came from a sync that
        started after the apiserver was fast again. Every later sync takes no latency, so the
        steady-state argument of the module docstring holds from here; their pending loop events
        go stale."""
        for zone in self.zones.values():
            keep = []
            for node in zone.nodes:
                if (
                    node.clean
                    and node.alive
                    and node.ready
                    and not node.failed
                    and not node.tainted
                    and not node.in_set
                    and node.seen == node.signals
                    and not node.sample
                ):
                    node.epoch += 1
                    continue
                keep.append(node)
            zone.nodes = keep

    def _reachable(self, zone: Zone, node: Node) -> None:
        """markNodeAsReachable: no taint, out of the queue and its set."""
        if node.tainted:
            node.tainted = False
            self.api.spend(self.now)
            self.record("untaint", node)
        node.in_set = False
        zone.queue.pop(node.name, None)

    def _zone_state(self, zone: Zone) -> str:
        not_ready = sum(1 for n in zone.nodes if not n.ready) + len(zone.dormant)
        ready = zone.size - not_ready
        if ready == 0 and not_ready > 0:
            return FULL
        if not_ready > 2 and not_ready / (not_ready + ready) >= self.p.unhealthy_threshold:
            return PARTIAL
        return NORMAL

    def _rate(self, zone: Zone, state: str) -> float:
        if state == PARTIAL:
            return self.p.secondary_rate if zone.size > self.p.large_cluster else 0.0
        return self.p.eviction_rate  # Normal; FullDisruption while some zone is not

    def _swap(self, zone: Zone, qps: float) -> None:
        """RateLimitedTimedQueue.SwapLimiter."""
        old = zone.limiter
        assert old is not None
        if old.qps == qps:
            return
        new = Bucket(qps, self.now)
        if qps > 0 and not old.try_accept(self.now):
            new.try_accept(self.now)
        zone.limiter = new

    def _set_state(self, zone: Zone, state: str, qps: float) -> None:
        self._swap(zone, qps)
        if state != zone.state:
            if (
                zone.state != INITIAL or state != NORMAL
            ):  # the first pass finding all well is no news
                self.events.append(Event(self.now, "zone", None, zone.name, state))
            zone.state = state

    def _handle_disruption(self) -> None:
        new = {name: self._zone_state(z) for name, z in self.zones.items()}
        all_now = all(s == FULL for s in new.values())
        all_was = all(z.state == FULL for z in self.zones.values())
        if all_now and all_was:
            return
        if all_now:  # every zone fully disrupted: stop all evictions
            for node in self.nodes.values():
                self.wake(node)
            for zone in self.zones.values():
                for node in zone.nodes:
                    self._reachable(zone, node)
                self._set_state(zone, FULL, 0.0)
            return
        if all_was:  # leaving it: every node's probe time restarts now
            for node in self.nodes.values():
                node.probe = self.now
        for name, zone in self.zones.items():
            if all_was or zone.state != new[name]:
                self._set_state(zone, new[name], self._rate(zone, new[name]))

    def _schedule_taint_pass(self) -> None:
        soonest = float("inf")
        for zone in self.zones.values():
            if zone.queue and zone.limiter is not None:
                head = next(iter(zone.queue.values())).queued_at
                soonest = min(soonest, max(head, zone.limiter.ready_at(self.now)))
        if soonest == float("inf"):
            return
        # The tainting goroutine ticks on its own 100 ms grid.
        step = self._taint_period
        # (a microsecond of slack: float sums of 0.1 must not push a due token a tick later)
        ticks = math.ceil((max(soonest, self.now) - self.start) / step - 1e-6)
        when = self.start + ticks * step
        if self._taint_tick is None or when < self._taint_tick:
            self._taint_tick = when
            self._push(when, _TAINT, None)

    def _tainting_pass(self) -> None:
        if self._taint_tick is not None and self.now < self._taint_tick - 1e-9:
            return  # superseded by an earlier tick that already ran
        self._taint_tick = None
        for zone in self.zones.values():
            limiter = zone.limiter
            while (
                zone.queue
                and next(iter(zone.queue.values())).queued_at <= self.now + 1e-9
                and limiter is not None
                and limiter.try_accept(self.now)
            ):
                name = next(iter(zone.queue))
                node = zone.queue.pop(name)
                if node.ready:
                    continue  # "Node is Ready again": dropped, token spent
                self.api.spend(self.now)
                node.tainted = True
                node.taint_id += 1
                self.record("taint", node)
                self._push(self.now + self.p.toleration, _EVICT, (node, node.taint_id))
        self._schedule_taint_pass()

    def _evict(self, node: Node, taint_id: int) -> None:
        if node.tainted and node.taint_id == taint_id and not node.evicted:
            node.evicted = True
            self.record("evict", node)


@dataclass(frozen=True)
class _Landing:
    """A lease renewal or status write reaching the apiserver (a request that took its latency)."""

    node: Node
    epoch: int
    renewal: bool
    clean: bool

    def __call__(self, sim: Simulation) -> None:
        node = self.node
        sim.wake(node)  # a write sent before the crash may land after it
        node.signals += 1
        if self.renewal:
            node.clean = self.clean
        if not self.renewal:
            node.new = False
            if not node.ready:
                node.posted_ready = True
        if self.renewal and node.sample:
            sim.renewals[node.name].append(sim.now)
