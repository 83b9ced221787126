"""monitor-period: the node monitor period is not well below the grace period.

kube-controller-manager looks at node health every `--node-monitor-period`
(`node_lifecycle_controller.go`: Run polls monitorNodeHealth every nodeMonitorPeriod), so a dead
node is marked between grace and grace + period after its last heartbeat.

Thresholds (node-timing's choices; Kubernetes does not validate the period against the grace
period, `data/kubernetes.yml` `thresholds`): warning when period ≥ grace (detection time at least
doubles), info when period > grace / 2 (the polling adds more than half again). Silence or
demote them with `skip_list` / `warn_list` in `.node-timing.yml`.

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


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.control_plane_groups or [ctx.cluster]:
        if not settings_usable(group, PERIOD, GRACE):
            continue
        cm = group.settings.controller_manager
        period, grace = cm.node_monitor_period, cm.node_monitor_grace_period
        if period >= grace:
            yield ctx.finding(
                ID,
                f"node monitor period {secs(period)} is not shorter than the grace period {secs(grace)}: "
                f"a dead node can go undetected for {secs(grace + period)} (node-timing's threshold, not a "
                f"Kubernetes limit); lower "
                f"kube_controller_node_monitor_period to {secs(max(grace // 8, 1_000_000_000))} or less",
                group.source(PERIOD),
                group.hosts,
            )
        elif period * 2 > grace:
            yield ctx.finding(
                ID,
                f"node monitor period {secs(period)} is more than half the grace period {secs(grace)}: "
                f"detection may take up to {secs(grace + period)}; lower kube_controller_node_monitor_period",
                group.source(PERIOD),
                group.hosts,
                # valid for the controller, only slower to detect: the warning is period ≥ grace
                severity="info",
            )
