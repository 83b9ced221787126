"""startup-grace: the node startup grace period is shorter than the grace period.

`--node-startup-grace-period` is how long a node that just registered may stay unresponsive before
it is marked unhealthy. A value below the ordinary grace period marks booting nodes NotReady
sooner than running ones, which is never the intent. The threshold is node-timing's choice:
Kubernetes does not validate the pair, but its defaults keep the startup grace (1m) above the
grace period (40s, 50s from 1.32); `data/kubernetes.yml` `thresholds`. Move it with
`thresholds: {startup-grace.warning: F}` in `.node-timing.yml`: a warning below F × the grace
period.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 2m0s
kube_kubeadm_controller_extra_args:
  node-startup-grace-period: 1m0s
```

**Passes**

```yaml
kube_kubeadm_controller_extra_args:
  node-startup-grace-period: 2m0s
```

**Fix.** Raise `node-startup-grace-period` to at least the grace period.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations
from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "startup-grace"
SEVERITY: Severity = "warning"
SUMMARY = "the node startup grace period is shorter than the grace period"

STARTUP = "controller_manager.node_startup_grace_period"
GRACE = "controller_manager.node_monitor_grace_period"
WARNING = f"{ID}.warning"


def check(ctx: LintContext) -> Iterator[Finding]:
    factor = ctx.threshold(WARNING)
    for group in ctx.control_plane_groups or [ctx.cluster]:
        if not settings_usable(group, STARTUP, GRACE):
            continue
        cm = group.settings.controller_manager
        grace = cm.node_monitor_grace_period
        if cm.node_startup_grace_period < factor * grace:
            startup = group.source(STARTUP)
            at = group.source(GRACE) if startup.from_default else startup
            # the whole second at or above the threshold, so the advice passes the check
            least = math.ceil(factor * grace / durations.SECOND) * durations.SECOND
            compared = (
                f"is shorter than {factor:g} × the grace period {secs(grace)} "
                f"({ctx.thresholds.where(WARNING)})"
                if ctx.thresholds.is_configured(WARNING)
                else f"is shorter than the grace period {secs(grace)}"
            )
            yield ctx.finding(
                ID,
                f"node startup grace {secs(cm.node_startup_grace_period)} {compared}: booting nodes "
                f"are marked NotReady sooner than running ones; set "
                f"kube_kubeadm_controller_extra_args.node-startup-grace-period to at least "
                f"{secs(least if ctx.thresholds.is_configured(WARNING) else grace)}",
                at,
                group.hosts,
                setting=STARTUP,
            )
