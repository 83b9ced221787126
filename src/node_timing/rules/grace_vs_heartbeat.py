"""grace-vs-heartbeat: the grace period leaves too few kubelet heartbeats before a node is dead.

kube-controller-manager marks a node Unknown when its health signal has not moved for
`--node-monitor-grace-period`. The signal comes every H = min(R, S): R = nodeLeaseDurationSeconds / 4
(lease renewals) and S = the status report interval (`node_lifecycle_controller.go`: "the node
health signal update frequency is the minimal of the two").

Thresholds and where they come from (`data/kubernetes.yml` `thresholds`):

- warning below 5 heartbeats: kubespray's reliability guide (nodeStatusUpdateRetry × update
  frequency). Upstream gives no number: the flag's help text says "N times more than
  nodeStatusUpdateFrequency" without a value; its defaults were 40s / 10s = 4 heartbeats until
  1.31 and 50s / 10s = 5 from 1.32, a raise made for the HTTP/2 timeouts (PR #126287), not for a
  heartbeat count.
- error below 2 heartbeats: node-timing's choice; one late renewal then flips the node NotReady,
  as reported in issue #80172 (grace 10s, renew 10s) and kubespray #4900.

Both are choices, not Kubernetes limits: move them with `thresholds:` in `.node-timing.yml`
(`grace-vs-heartbeat.warning`, `grace-vs-heartbeat.error`), demote with `warn_list` or silence
with `skip_list` / `# noqa: grace-vs-heartbeat`.

Evaluated per kubelet host.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 15s   # kubelets renew every 10s: 1.5 heartbeats
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 50s   # 5 heartbeats of 10s
```

**Fix.** Raise the grace period to 5 × H, or shorten the lease
(`kubelet_config_extra_args.nodeLeaseDurationSeconds`) so that R = grace / 5.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations, knowledge
from node_timing.evaluate.host_timing import settings_usable
from node_timing.evaluate.sources import EXTRA_ARG, VARIABLE
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs, set_edit

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "grace-vs-heartbeat"
SEVERITY: Severity = "error"
SUMMARY = "the grace period is shorter than kubespray's 5 heartbeats (error below 2: flapping)"

GRACE = "controller_manager.node_monitor_grace_period"
WARNING, ERROR = f"{ID}.warning", f"{ID}.error"
KUBELET = (
    "kubelet.node_status_update_frequency",
    "kubelet.node_status_report_frequency",
    "kubelet.node_lease_duration_seconds",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    if not settings_usable(ctx.cluster, GRACE):
        return
    grace_src = ctx.cluster.source(GRACE)
    grace = ctx.cluster.settings.controller_manager.node_monitor_grace_period
    need = ctx.threshold(WARNING)
    flap = ctx.threshold(ERROR)
    fraction = knowledge.constraint("lease_renew_fraction")
    for group in ctx.kubelet_groups:
        if not settings_usable(group, *KUBELET):
            continue
        k = group.settings.kubelet
        h = k.heartbeat_interval
        if h <= 0 or grace >= need * h:
            continue
        count = grace / h
        flapping = grace < flap * h
        # below the error threshold (2 by default) a single late renewal flips the node (the
        # rule's default severity); below the warning one (5) only a slow one does
        severity: Severity | None = None if flapping else "warning"
        lease = max(1, math.floor(grace / need / durations.SECOND / fraction))
        by_lease = k.renew_interval <= k.effective_report_interval
        heartbeat_src = group.source(
            "kubelet.node_lease_duration_seconds"
            if by_lease
            else "kubelet.node_status_update_frequency"
        )
        consequence = (
            "nodes will flap NotReady on a single late renewal"
            if flapping
            else "a slow renewal can mark a healthy node NotReady"
        )
        if flapping and ctx.thresholds.is_configured(ERROR):
            consequence = (
                f"below {flap} ({ctx.thresholds.where(ERROR)}) nodes may flap NotReady on a late "
                "renewal"
            )
        asks = (
            f"{ctx.thresholds.where(WARNING)} asks for {need}"
            if ctx.thresholds.is_configured(WARNING)
            else f"kubespray's reliability guide asks for {need} (Kubernetes gives no number)"
        )
        # an inventory's own variable or key; on a node's files kubespray's variable, which
        # `lint FILE` words as the file's field (deployed/words.py)
        raise_name = (
            grace_src.name
            if grace_src.kind in (VARIABLE, EXTRA_ARG)
            else "kube_controller_node_monitor_grace_period"
        )
        message = (
            f"grace {secs(grace)} allows {count:g} heartbeats of {secs(h)}; {asks}: "
            f"{consequence}. Raise {raise_name} to {secs(need * h)} or "
            f"shorten the lease to {lease} (kubelet_config_extra_args.nodeLeaseDurationSeconds)"
        )
        at = grace_src
        if not heartbeat_src.from_default and (
            grace_src.from_default or _host_specific(heartbeat_src)
        ):
            at = heartbeat_src
        # machine-applicable where the finding points at the grace period itself
        # (every place the inventory writes it: changing one of two makes them differ)
        suggest = (
            [
                set_edit(s.name, secs(need * h))
                for s in ctx.cluster.sources[GRACE]
                if s.kind in (VARIABLE, EXTRA_ARG)
            ]
            or [set_edit(grace_src.name, secs(need * h))]
            if at is grace_src
            else None
        )
        yield ctx.finding(
            ID,
            message,
            at,
            group.hosts,
            setting=GRACE,
            severity=severity,
            extra={"suggest": suggest} if suggest else None,
        )


def _host_specific(source: object) -> bool:
    return "host_vars" in str(getattr(getattr(source, "location", None), "path", ""))
