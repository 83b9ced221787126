"""eviction-rate: node eviction rates or zone thresholds that stop or invert evictions.

`--node-eviction-rate` (default 0.1 nodes/s per zone) paces taint-based evictions; a rate ≤ 0
never evicts. `--secondary-node-eviction-rate` (default 0.01) applies when a zone is partially
disrupted and should not be faster than the primary rate. `--large-cluster-size-threshold`
(default 50, compared with the zone size) is a whole number ≥ 0.

`--unhealthy-zone-threshold` (default 0.55) is the fraction of not-ready nodes (with more than 2
of them) at which a zone counts as partially disrupted (ComputeZoneState in
node_lifecycle_controller.go). That state is the brake: evictions in a zone of up to
`--large-cluster-size-threshold` nodes *stop*, a larger zone slows to the secondary rate. Nothing
validates the threshold, so values outside (0, 1] are a policy, reported as warnings:

- above 1 it never matches: the brake is gone, a zone of ≤ 50 nodes keeps evicting at the primary
  rate however much of it is down; only an outage of every zone still stops evictions;
- ≤ 0 it matches as soon as a zone has 3 not-ready nodes: evictions stop (or slow) from then on,
  however large the zone.

Error for a rate ≤ 0, a negative secondary rate, a value that is not a number, and NaN or infinity
(`.nan`, `.inf`, `1e400`: every comparison with NaN is false, so it would pass each check, and the
flag would be rendered as `nan`); warning when the secondary rate exceeds the primary and for a zone
threshold outside (0, 1].

**Fails**

```yaml
kube_kubeadm_controller_extra_args:
  node-eviction-rate: "0"
  unhealthy-zone-threshold: "55"
```

```yaml
kube_kubeadm_controller_extra_args:
  unhealthy-zone-threshold: "0"      # runs, but brakes from the third dead node of any zone
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
from typing import TYPE_CHECKING, Any

from node_timing import knowledge
from node_timing.findings import Finding, Severity
from node_timing.rules._common import set_edit

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.evaluate.sources import Source

ID = "eviction-rate"
SEVERITY: Severity = "error"
SUMMARY = (
    "eviction rate ≤ 0 (error); secondary rate > primary or zone threshold outside (0, 1] (warning)"
)

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
        if bad:
            continue
        cm = group.settings.controller_manager
        zone_src = group.source(ZONE)
        if zone_src.usable:
            yield from _zone_policy(ctx, group.hosts, zone_src, cm, ceiling)
        # Out-of-range values (a negative rate, NaN, infinity) are refused when parsed
        # (settings.FLOAT_RANGE) and reported above as the source's problem.
        rate_src, secondary_src = group.source(RATE), group.source(SECONDARY)
        default_rate = str(knowledge.default_for(RATE, ctx.version))
        if rate_src.usable and cm.node_eviction_rate <= 0:
            yield ctx.finding(
                ID,
                f"node-eviction-rate {cm.node_eviction_rate:g} never evicts pods from dead nodes; use {default_rate}",
                rate_src,
                group.hosts,
                extra={"suggest": [set_edit(RATE, default_rate)]},
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


def _zone_policy(
    ctx: LintContext, hosts: list[str], source: Source, cm: Any, ceiling: float
) -> Iterator[Finding]:
    """A zone threshold outside (0, 1]: kube-controller-manager runs it, it changes the brake."""
    zone = cm.unhealthy_zone_threshold
    large = cm.large_cluster_size_threshold
    policy = "Kubernetes accepts it: a policy, not a validity rule (ComputeZoneState)"
    if zone > ceiling:
        message = (
            f"unhealthy-zone-threshold {zone:g} is above {ceiling:g} and never matches: no zone is "
            f"ever partially disrupted, which removes the brake that stops evictions in a zone of "
            f"≤ {large} nodes (and slows them to the secondary rate in larger zones) when most of "
            f"it is down; only an outage of every zone still stops them. {policy}"
        )
    elif zone <= 0:
        message = (
            f"unhealthy-zone-threshold {zone:g} ≤ 0 makes every zone with 3 not-ready nodes "
            f"partially disrupted: evictions there stop in a zone of ≤ {large} nodes (slow to the "
            f"secondary rate in larger zones) from the third dead node on, however large the zone. "
            f"{policy}"
        )
    else:
        return
    yield ctx.finding(
        ID,
        message,
        source,
        hosts,
        # evictions still behave as configured, with a brake moved: not an outage
        severity="warning",
        extra={"suggest": [set_edit(ZONE, str(knowledge.default_for(ZONE, ctx.version)))]},
    )
