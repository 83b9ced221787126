"""grace-vs-http2: the grace period is not longer than the kubelet's HTTP/2 dead-connection timeouts.

A kubelet whose connection to the apiserver died silently notices only after
`HTTP2_READ_IDLE_TIMEOUT_SECONDS` + `HTTP2_PING_TIMEOUT_SECONDS` (client-go defaults 30 + 15 = 45s).
Since Kubernetes 1.32 the `--node-monitor-grace-period` help text says the grace period "should also
be greater than the sum" of the two; a shorter grace flips every node NotReady when an apiserver
goes away (issue #121793), which is why the default moved from 40s to 50s.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 40s   # ≤ 45s with client-go's defaults
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 50s
```

**Fix.** Raise the grace period above the sum, or lower the kubelet's HTTP/2 timeouts (the
`node_timing` role installs `HTTP2_READ_IDLE_TIMEOUT_SECONDS` / `HTTP2_PING_TIMEOUT_SECONDS` from
`node_timing_http2_read_idle_timeout_seconds` / `node_timing_http2_ping_timeout_seconds`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations
from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "grace-vs-http2"
SEVERITY: Severity = "warning"
SUMMARY = "the grace period is not longer than the kubelet's HTTP/2 read-idle + ping timeouts"

GRACE = "controller_manager.node_monitor_grace_period"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not settings_usable(ctx.cluster, GRACE):
        return
    grace = ctx.cluster.settings.controller_manager.node_monitor_grace_period
    for group in ctx.kubelet_groups:
        if not settings_usable(
            group, "kubelet.http2_read_idle_timeout_seconds", "kubelet.http2_ping_timeout_seconds"
        ):
            continue
        k = group.settings.kubelet
        total = (
            k.http2_read_idle_timeout_seconds + k.http2_ping_timeout_seconds
        ) * durations.SECOND
        if grace > total:
            continue
        message = (
            f"grace {secs(grace)} is not longer than the kubelet's HTTP/2 read-idle {k.http2_read_idle_timeout_seconds}s "
            f"+ ping {k.http2_ping_timeout_seconds}s = {secs(total)}: a silently dropped apiserver connection "
            f"marks nodes NotReady. Raise kube_controller_node_monitor_grace_period above {secs(total)} or "
            f"lower HTTP2_READ_IDLE_TIMEOUT_SECONDS / HTTP2_PING_TIMEOUT_SECONDS on the kubelets"
        )
        yield ctx.finding(ID, message, ctx.cluster.source(GRACE), group.hosts)
