"""Figures: what a set of timings means for detection, eviction and etcd load (docs/profiles.md, "The figures")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from node_timing import durations, knowledge
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
    eviction_seconds_max: float
    lease_writes_per_minute: float
    status_reports_per_minute: float
    etcd_write_bytes_per_day: int
    nodes: int

    def to_dict(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in asdict(self).items()}


def _plain(value: float | int) -> float | int:
    """Whole numbers print as integers (15000, not 15000.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def compute(
    settings: Settings,
    nodes: int,
    lease_bytes: int | None = None,
    node_status_bytes: int | None = None,
) -> Figures:
    k = settings.kubelet
    cm = settings.controller_manager
    renew = k.renew_interval / durations.SECOND
    report = k.effective_report_interval / durations.SECOND
    heartbeat = k.heartbeat_interval / durations.SECOND
    grace = cm.node_monitor_grace_period / durations.SECOND
    period = cm.node_monitor_period / durations.SECOND
    detection_max = grace + period
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
        detection_seconds_min=max(grace - heartbeat, 0.0),
        detection_seconds_max=detection_max,
        eviction_seconds_max=detection_max
        + settings.apiserver.default_unreachable_toleration_seconds,
        lease_writes_per_minute=round(lease_per_min, 3),
        status_reports_per_minute=round(reports_per_min, 3),
        etcd_write_bytes_per_day=round(per_day),
        nodes=nodes,
    )
