"""startup-grace: the node startup grace period is shorter than the grace period (info).

`--node-startup-grace-period` replaces the grace period only for a Node that has no Ready
condition at all (node_lifecycle_controller.go tryUpdateNodeHealth: `if currentReadyCondition ==
nil` ... `gracePeriod = nc.nodeStartupGracePeriod`). The kubelet registers its Node with its status
already set (pkg/kubelet/kubelet_node_status.go registerWithAPIServer, initialNode), so on
kubelet-registered nodes, kubespray's included, it practically never applies: only a Node object
created by something else, or a kubelet that dies between registering and its first status, is
judged by it. A value below the grace period then marks such a node NotReady sooner than a
running one. Reported as information: it changes nothing on an ordinary node. The threshold is
node-timing's choice: Kubernetes does not validate the pair, but its defaults keep the startup grace
(1m) above the grace period (40s, 50s from 1.32); `data/kubernetes.yml` `thresholds`. Move it with
`thresholds: {startup-grace.info: F}` in `.node-timing.yml`: reported below F × the grace period.

**Reported**

```yaml
kube_controller_node_monitor_grace_period: 5m0s
kube_kubeadm_controller_extra_args:
  node-startup-grace-period: 1m0s
```

**Not reported**

```yaml
kube_kubeadm_controller_extra_args:
  node-startup-grace-period: 2m0s
```

**Fix.** Nothing is needed for kubelet-registered nodes. To keep the pair consistent, raise
`node-startup-grace-period` to at least the grace period.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations
from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs, set_edit

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "startup-grace"
SEVERITY: Severity = "info"
SUMMARY = "the node startup grace period (only for a Node without a Ready condition) is shorter than the grace period"

STARTUP = "controller_manager.node_startup_grace_period"
GRACE = "controller_manager.node_monitor_grace_period"
WARNING = f"{ID}.info"


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
                f"node startup grace {secs(cm.node_startup_grace_period)} {compared}: it applies "
                f"only to a Node with no Ready condition (the kubelet registers its Node with "
                f"one, so ordinary nodes never use it), which it would mark NotReady sooner than "
                f"a running node; to keep the pair consistent set "
                f"kube_kubeadm_controller_extra_args.node-startup-grace-period to at least "
                f"{secs(least if ctx.thresholds.is_configured(WARNING) else grace)}",
                at,
                group.hosts,
                setting=STARTUP,
                extra={"suggest": [set_edit(STARTUP, secs(least))]},
            )
