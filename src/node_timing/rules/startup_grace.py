"""startup-grace: the node startup grace period is shorter than the grace period.

`--node-startup-grace-period` is how long a node that just registered may stay unresponsive before
it is marked unhealthy. A value below the ordinary grace period marks booting nodes NotReady
sooner than running ones, which is never the intent. The threshold is node-timing's choice:
Kubernetes does not validate the pair, but its defaults keep the startup grace (1m) above the
grace period (40s, 50s from 1.32); `data/kubernetes.yml` `thresholds`.

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

from collections.abc import Iterator
from typing import TYPE_CHECKING

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


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.control_plane_groups or [ctx.cluster]:
        if not settings_usable(group, STARTUP, GRACE):
            continue
        cm = group.settings.controller_manager
        if cm.node_startup_grace_period < cm.node_monitor_grace_period:
            startup = group.source(STARTUP)
            at = group.source(GRACE) if startup.from_default else startup
            yield ctx.finding(
                ID,
                f"node startup grace {secs(cm.node_startup_grace_period)} is shorter than the grace period "
                f"{secs(cm.node_monitor_grace_period)}: booting nodes are marked NotReady sooner than running "
                f"ones; set kube_kubeadm_controller_extra_args.node-startup-grace-period to at least "
                f"{secs(cm.node_monitor_grace_period)}",
                at,
                group.hosts,
                setting=STARTUP,
            )
