"""monitor-period: the node monitor period is not well below the grace period.

kube-controller-manager looks at node health every `--node-monitor-period`; detection takes up to
grace + period. `node_lifecycle_controller.go` requires the period to be lower than the grace
period; above half of it, detection time is dominated by the polling.

Error when period ≥ grace, warning when period > grace / 2.

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

from node_timing.effective import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs

if TYPE_CHECKING:
    from node_timing.lint import LintContext

ID = "monitor-period"
SEVERITY: Severity = "error"
SUMMARY = "the node monitor period is ≥ the grace period (error) or more than half of it (warning)"

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
                f"a dead node can go undetected for {secs(grace + period)}; lower "
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
                # valid for the controller, only slower to detect: the error is period ≥ grace
                severity="warning",
            )
