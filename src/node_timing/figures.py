"""Figures: what a set of timings means for detection, eviction and etcd load (docs/profiles.md, "The figures").

The closed form follows the node lifecycle controller pass by pass (data/kubernetes.yml,
``node_lifecycle``; docs/eviction.md derives it). A node's last health signal (Lease renewal or
Ready heartbeat) reaches the apiserver at ``-gap < L <= 0`` before it dies at 0, ``gap`` being the
longest time between two signals (the kubelet's loops wait 4 % jitter on top of their interval).
The first monitor pass after ``L`` stamps the probe time ``S`` (``L <= S < L + period``). Passes
are a period plus their own (short) duration apart, so the pass ``c = ceil(grace / period)``
passes after ``S`` is the first whose ``now`` is strictly after ``S + grace``: it marks the node
Unknown at ``S + c * period``. Detection is therefore within ``(c * period - gap, c * period +
period)``. The NoExecute taint is queued in the same pass (Kubernetes 1.34+, PR #120816) or the
next one (before), and added by the next 100 ms tainting tick; the pods go ``tolerationSeconds``
later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from node_timing import durations, knowledge
from node_timing.knowledge import KubeVersion
from node_timing.settings import Settings

_SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Figures:
    heartbeat_interval_seconds: float
    renew_interval_seconds: float
    status_report_interval_seconds: float
    heartbeats_per_grace: float
    detection_seconds_min: float
    detection_seconds_max: float
    eviction_seconds_min: float
    eviction_seconds_max: float
    taint_queued: str  # "same pass" or "next pass" after the pass that marks the node
    lease_writes_per_minute: float
    status_reports_per_minute: float
    etcd_write_bytes_per_day: int
    nodes: int

    def to_dict(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in asdict(self).items()}


def _plain(value: Any) -> Any:
    """Whole numbers print as integers (15000, not 15000.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def caveats() -> list[str]:
    """What the eviction figure leaves out (data/kubernetes.yml ``eviction_caveats``)."""
    return [str(c["text"]) for c in knowledge.kubernetes()["eviction_caveats"]]


def model_text(kube_version: KubeVersion) -> str:
    """One sentence for explain and profile: how the figures follow the controller's passes."""
    queued = "the next pass" if knowledge.taint_queued_next_pass(kube_version) else "that pass"
    return (
        "the controller marks a node Unknown at the first monitor pass strictly more than the "
        "grace period after the pass that saw its last heartbeat; the NoExecute taint is queued "
        f"by {queued} (Kubernetes {kube_version.minor_text}) and added within 100 ms; pods go "
        "tolerationSeconds later"
    )


def signal_gap_seconds(settings: Settings) -> float:
    """The longest time between two health signals the controller can see from a live kubelet:
    Lease renewals ``renew * 1.04`` apart at most; Ready heartbeats written every sync when the
    report frequency is not above the update frequency, else up to a report interval plus one
    sync after the last report (pkg/kubelet/kubelet_node_status.go)."""
    k = settings.kubelet
    jitter = 1 + float(knowledge.constraint("lease_renew_jitter"))
    renew = k.renew_interval / durations.SECOND
    update = k.node_status_update_frequency / durations.SECOND
    report = k.effective_report_interval / durations.SECOND
    status = jitter * update if report <= update else report + jitter * update
    return min(jitter * renew, status)


def marking_passes(settings: Settings) -> int:
    """``c``: the pass after the probe pass that marks a silent node, ceil(grace / period)."""
    cm = settings.controller_manager
    if cm.node_monitor_period <= 0:
        return 1
    return max(1, -(-cm.node_monitor_grace_period // cm.node_monitor_period))


def compute(
    settings: Settings,
    nodes: int,
    lease_bytes: int | None = None,
    node_status_bytes: int | None = None,
    kube_version: KubeVersion | None = None,
) -> Figures:
    """The figures at ``kube_version`` (default: the newest Kubernetes kubespray supports)."""
    version = knowledge.default_kube_version() if kube_version is None else kube_version
    k = settings.kubelet
    cm = settings.controller_manager
    renew = k.renew_interval / durations.SECOND
    report = k.effective_report_interval / durations.SECOND
    heartbeat = k.heartbeat_interval / durations.SECOND
    grace = cm.node_monitor_grace_period / durations.SECOND
    period = max(cm.node_monitor_period / durations.SECOND, 0.0)
    marked = marking_passes(settings) * period if period > 0 else grace
    detection_min = max(marked - signal_gap_seconds(settings), 0.0)
    detection_max = marked + period
    next_pass = knowledge.taint_queued_next_pass(version)
    toleration = settings.apiserver.default_unreachable_toleration_seconds
    queued = period if next_pass else 0.0
    lease_per_min = nodes * 60 / renew if renew > 0 else float("inf")
    reports_per_min = nodes * 60 / report if report > 0 else float("inf")
    lb = knowledge.object_size("lease_update_bytes") if lease_bytes is None else lease_bytes
    nb = (
        knowledge.object_size("node_status_patch_bytes")
        if node_status_bytes is None
        else node_status_bytes
    )
    per_day = (lease_per_min * lb + reports_per_min * nb) * _SECONDS_PER_DAY / 60
    return Figures(
        heartbeat_interval_seconds=heartbeat,
        renew_interval_seconds=renew,
        status_report_interval_seconds=report,
        heartbeats_per_grace=round(grace / heartbeat, 3) if heartbeat > 0 else float("inf"),
        detection_seconds_min=round(detection_min, 3),
        detection_seconds_max=round(detection_max, 3),
        eviction_seconds_min=round(detection_min + queued + toleration, 3),
        eviction_seconds_max=round(detection_max + queued + toleration, 3),
        taint_queued="next pass" if next_pass else "same pass",
        lease_writes_per_minute=round(lease_per_min, 3),
        status_reports_per_minute=round(reports_per_min, 3),
        etcd_write_bytes_per_day=round(per_day),
        nodes=nodes,
    )
