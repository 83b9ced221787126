"""monitor-period: the node monitor period is not well below the grace period.

kube-controller-manager looks at node health every `--node-monitor-period`
(`node_lifecycle_controller.go`: Run polls monitorNodeHealth every nodeMonitorPeriod), so a dead
node is marked between grace and grace + period after its last heartbeat.

Thresholds (node-timing's choices; Kubernetes does not validate the period against the grace
period, `data/kubernetes.yml` `thresholds`): warning when period ≥ grace (detection time at least
doubles), info when period > grace / 2 (the polling adds more than half again). Move them with
`thresholds:` in `.node-timing.yml` (`monitor-period.warning` and `monitor-period.info`, fractions
of the grace period), or silence or demote them with `skip_list` / `warn_list`.

**Fails**

```yaml
kube_controller_node_monitor_period: 40s
kube_controller_node_monitor_grace_period: 40s
```

**Passes**

```yaml
kube_controller_node_monitor_period: 5s
kube_controller_node_monitor_grace_period: 40s
```

**Fix.** Keep kube_controller_node_monitor_period at 5s (2s for fast detection).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "monitor-period"
SEVERITY: Severity = "warning"
SUMMARY = "the node monitor period is ≥ the grace period (warning) or more than half of it (info)"

PERIOD = "controller_manager.node_monitor_period"
GRACE = "controller_manager.node_monitor_grace_period"
WARNING, INFO = f"{ID}.warning", f"{ID}.info"


def check(ctx: LintContext) -> Iterator[Finding]:
    warning, info = ctx.threshold(WARNING), ctx.threshold(INFO)
    configured = ctx.thresholds.is_configured
    for group in ctx.control_plane_groups or [ctx.cluster]:
        if not settings_usable(group, PERIOD, GRACE):
            continue
        cm = group.settings.controller_manager
        period, grace = cm.node_monitor_period, cm.node_monitor_grace_period
        if period >= warning * grace:
            # a period at or below the info threshold passes both checks
            target = max(min(grace // 8, math.floor(info * grace)), 1_000_000_000)
            compared = (
                f"is at least {warning:g} × the grace period {secs(grace)} "
                f"({ctx.thresholds.where(WARNING)})"
                if configured(WARNING)
                else f"is not shorter than the grace period {secs(grace)}"
            )
            why = (
                "" if configured(WARNING) else " (node-timing's threshold, not a Kubernetes limit)"
            )
            yield ctx.finding(
                ID,
                f"node monitor period {secs(period)} {compared}: "
                f"a dead node can go undetected for {secs(grace + period)}{why}; lower "
                f"kube_controller_node_monitor_period to {secs(target)} or less",
                group.source(PERIOD),
                group.hosts,
            )
        elif period > info * grace:
            compared = (
                f"is more than {info:g} × the grace period {secs(grace)} "
                f"({ctx.thresholds.where(INFO)})"
                if configured(INFO)
                else f"is more than half the grace period {secs(grace)}"
            )
            yield ctx.finding(
                ID,
                f"node monitor period {secs(period)} {compared}: "
                f"detection may take up to {secs(grace + period)}; lower kube_controller_node_monitor_period",
                group.source(PERIOD),
                group.hosts,
                # valid for the controller, only slower to detect: the warning is period ≥ grace
                severity="info",
            )
