"""The values the model works with: its parameters (from Settings), the events it reports, the
zone states, and the eviction rate limiter (flowcontrol.NewTokenBucketRateLimiter(qps, 1), as
pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go builds it)."""

from __future__ import annotations

from dataclasses import dataclass

from node_timing import durations, knowledge
from node_timing.knowledge import KubeVersion
from node_timing.settings import Settings

# Zone states (node_lifecycle_controller.go ZoneState values).
INITIAL = "Initial"
NORMAL = "Normal"
PARTIAL = "PartialDisruption"
FULL = "FullDisruption"


@dataclass(frozen=True)
class Params:
    """The timing the model needs, in seconds, from a Settings."""

    renew: float
    status_update: float
    status_report: float
    lease_duration: float
    monitor_period: float
    grace: float
    startup_grace: float
    eviction_rate: float
    secondary_rate: float
    large_cluster: int
    unhealthy_threshold: float
    toleration: float
    # The NoExecute taint is queued by the pass after the one that marks the node Unknown
    # (Kubernetes before 1.34), not by that pass (knowledge.taint_queued_next_pass).
    taint_next_pass: bool = False
    # The controller's API budget: Ready pods per node (one status write each when the node is
    # marked) and kube-controller-manager's --kube-api-qps / --kube-api-burst.
    pods_per_node: int = 0
    api_qps: float = 20.0
    api_burst: int = 30

    @classmethod
    def from_settings(cls, s: Settings, kube_version: KubeVersion | None = None) -> Params:
        """The model's parameters; ``kube_version`` (default: the newest kubespray supports)
        decides when the controller queues the taint."""
        k, cm = s.kubelet, s.controller_manager
        sec = durations.SECOND
        version = knowledge.default_kube_version() if kube_version is None else kube_version
        return cls(
            renew=k.renew_interval / sec,
            status_update=k.node_status_update_frequency / sec,
            status_report=k.effective_report_interval / sec,
            lease_duration=float(k.node_lease_duration_seconds),
            monitor_period=cm.node_monitor_period / sec,
            grace=cm.node_monitor_grace_period / sec,
            startup_grace=cm.node_startup_grace_period / sec,
            eviction_rate=cm.node_eviction_rate,
            secondary_rate=cm.secondary_node_eviction_rate,
            large_cluster=cm.large_cluster_size_threshold,
            unhealthy_threshold=cm.unhealthy_zone_threshold,
            toleration=float(s.apiserver.default_unreachable_toleration_seconds),
            taint_next_pass=knowledge.taint_queued_next_pass(version),
        )

    @property
    def timeout(self) -> float:
        """The heartbeat client's request timeout (cmd/kubelet/app/server.go)."""
        return min(self.status_update, self.lease_duration)


@dataclass(frozen=True)
class Event:
    """One thing that happened, for the timeline: ``t`` in seconds from the scenario's start."""

    t: float
    kind: str  # crash, restart, slow_start, slow_end, not_ready, ready, taint, untaint, evict, zone
    node: str | None = None
    zone: str | None = None
    detail: str | None = None


class Bucket:
    """flowcontrol.NewTokenBucketRateLimiter(qps, 1): starts full; qps <= 0 never accepts."""

    def __init__(self, qps: float, now: float) -> None:
        self.qps = qps
        self.tokens = 1.0 if qps > 0 else 0.0
        self.last = now

    def try_accept(self, now: float) -> bool:
        if self.qps <= 0:
            return False
        self.tokens = min(1.0, self.tokens + (now - self.last) * self.qps)
        self.last = now
        if self.tokens >= 1.0 - 1e-9:
            self.tokens -= 1.0
            return True
        return False

    def ready_at(self, now: float) -> float:
        """When the next token is there (infinity for a limiter that never accepts)."""
        if self.qps <= 0:
            return float("inf")
        tokens = min(1.0, self.tokens + (now - self.last) * self.qps)
        return now + max(0.0, 1.0 - tokens) / self.qps


class ApiBudget:
    """The node controller's client limiter: flowcontrol.NewTokenBucketRateLimiter(--kube-api-qps,
    --kube-api-burst) (client-go rest.Config), starting full. Writes take their tokens in the
    order they ask (a wait, not a refusal), so tokens go negative: the debt is paid at ``qps``."""

    def __init__(self, qps: float, burst: int, now: float) -> None:
        self.qps = qps
        self.burst = float(burst)
        self.tokens = self.burst
        self.last = now
        self.writes = 0

    def spend(self, now: float, n: int = 1) -> float:
        """Take ``n`` tokens at ``now``: when the last of the ``n`` writes may go."""
        if now > self.last:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.qps)
            self.last = now
        self.tokens -= n
        self.writes += n
        return now if self.tokens >= 0 else now - self.tokens / self.qps
