"""eviction-rate: node eviction rates or zone thresholds that stop or invert evictions.

`--node-eviction-rate` (default 0.1 nodes/s per zone) paces taint-based evictions; a rate ≤ 0
never evicts. `--unhealthy-zone-threshold` (default 0.55) is a fraction of not-ready nodes in
(0, 1]. `--secondary-node-eviction-rate` (default 0.01) applies when a zone is partially disrupted
and should not be faster than the primary rate. `--large-cluster-size-threshold` (default 50,
compared with the zone size) is a whole number ≥ 0.

Error for a rate ≤ 0, a negative secondary rate, a threshold ≤ 0, a value that is not a number,
and NaN or infinity (`.nan`, `.inf`, `1e400`: every comparison with NaN is false, so it
would pass each check, and the flag would be rendered as `nan`); warning when the secondary rate
exceeds the primary, and for a threshold above 1: Kubernetes does not validate it, it only never
matches, so partial-disruption mode is off (ComputeZoneState in node_lifecycle_controller.go).

**Fails**

```yaml
kube_kubeadm_controller_extra_args:
  node-eviction-rate: "0"
  unhealthy-zone-threshold: "55"
```

**Passes**

```yaml
kube_kubeadm_controller_extra_args:
  node-eviction-rate: "0.1"
  unhealthy-zone-threshold: "0.55"
```

**Fix.** Use the upstream defaults unless you have measured otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "eviction-rate"
SEVERITY: Severity = "error"
SUMMARY = "eviction rate ≤ 0 or zone threshold ≤ 0 (error); secondary rate > primary or zone threshold > 1 (warning)"

RATE = "controller_manager.node_eviction_rate"
SECONDARY = "controller_manager.secondary_node_eviction_rate"
ZONE = "controller_manager.unhealthy_zone_threshold"
LARGE = "controller_manager.large_cluster_size_threshold"
ZONE_WARNING = f"{ID}.zone-threshold-warning"


def check(ctx: LintContext) -> Iterator[Finding]:
    # upstream (ComputeZoneState compares a fraction of nodes): read from the data, never configured
    ceiling = ctx.threshold(ZONE_WARNING)
    for group in ctx.control_plane_groups or [ctx.cluster]:
        bad = False
        for path in (RATE, SECONDARY, ZONE, LARGE):
            source = group.source(path)
            if source.problem:
                bad = True
                yield ctx.finding(ID, source.problem, source, group.hosts)
        zone_src = group.source(ZONE)
        if zone_src.usable and group.settings.controller_manager.unhealthy_zone_threshold > ceiling:
            # not validated upstream: it only never matches (ComputeZoneState)
            yield ctx.finding(
                ID,
                f"unhealthy-zone-threshold {zone_src.raw} is above {ceiling:g} and never matches: "
                "partial-disruption mode (the secondary eviction rate) is off, full disruption "
                "still stops evictions; Kubernetes does not validate it (ComputeZoneState)",
                zone_src,
                group.hosts,
                # evictions still stop when a zone is fully disrupted: a mode lost, not an outage
                severity="warning",
            )
        if bad:
            continue
        cm = group.settings.controller_manager
        # Out-of-range values (a negative rate, a threshold at or below 0, NaN, infinity) are
        # refused when parsed (settings.FLOAT_RANGE) and reported above as the source's problem.
        rate_src, secondary_src = group.source(RATE), group.source(SECONDARY)
        if rate_src.usable and cm.node_eviction_rate <= 0:
            yield ctx.finding(
                ID,
                f"node-eviction-rate {cm.node_eviction_rate:g} never evicts pods from dead nodes; use 0.1",
                rate_src,
                group.hosts,
            )
        if (
            rate_src.usable
            and secondary_src.usable
            and cm.secondary_node_eviction_rate > cm.node_eviction_rate > 0
        ):
            yield ctx.finding(
                ID,
                f"secondary-node-eviction-rate {cm.secondary_node_eviction_rate:g} is faster than "
                f"node-eviction-rate {cm.node_eviction_rate:g}: a partially disrupted zone would evict faster "
                f"than a healthy one",
                secondary_src,
                group.hosts,
                # evictions still happen, only in an order nobody intended: not an outage
                severity="warning",
            )
