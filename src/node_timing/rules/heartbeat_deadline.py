"""heartbeat-deadline: the kubelet's heartbeat requests get too short a deadline.

The kubelet sends its Lease renewals and Node status updates through one client whose timeout is
the smaller of `nodeStatusUpdateFrequency` and `nodeLeaseDurationSeconds`
(cmd/kubelet/app/server.go). With upstream's defaults that is 10s. An update frequency of 1s gives
every renewal 1s to complete: a pause of the apiserver or etcd of a few seconds (an etcd leader
election, a slow disk, an apiserver restart behind a load balancer) fails every renewal of every
node at once, and with a short grace period and short tolerations the controller then evicts pods
from healthy nodes. The other checks pass such a configuration: it has enough heartbeats per grace
period. The threshold is node-timing's choice (`data/kubernetes.yml` `thresholds`): a warning when
the deadline is shorter than `heartbeat-deadline.warning` seconds (default 4, the shortest of
node-timing's own profiles); move it with `thresholds: {heartbeat-deadline.warning: S}` in
`.node-timing.yml`.

**Fails**

```yaml
kubelet_status_update_frequency: 1s
kube_controller_node_monitor_grace_period: 5s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
  nodeLeaseDurationSeconds: 4
```

**Passes**

```yaml
kubelet_status_update_frequency: 4s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
  nodeLeaseDurationSeconds: 16
```

**Fix.** Lengthen `kubelet_status_update_frequency` (and the lease with it) so that a renewal has
a few seconds to complete; `node-timing profile fast` gives the shortest settings node-timing
proposes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations
from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import chosen, secs

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "heartbeat-deadline"
SEVERITY: Severity = "warning"
SUMMARY = "the kubelet's heartbeat request deadline, min(update frequency, lease), is too short"

UPDATE = "kubelet.node_status_update_frequency"
LEASE = "kubelet.node_lease_duration_seconds"
WARNING = f"{ID}.warning"


def check(ctx: LintContext) -> Iterator[Finding]:
    least = ctx.threshold(WARNING) * durations.SECOND
    for group in ctx.kubelet_groups:
        if not settings_usable(group, UPDATE, LEASE):
            continue
        k = group.settings.kubelet
        update = k.node_status_update_frequency
        lease = k.node_lease_duration_seconds * durations.SECOND
        deadline = min(update, lease)
        if deadline >= least or deadline <= 0:  # 0 is duration-format's
            continue
        at = group.source(UPDATE if update <= lease else LEASE)
        wanted = math.ceil(least / durations.SECOND) * durations.SECOND
        yield ctx.finding(
            ID,
            f"every kubelet heartbeat request has {secs(deadline)} to complete "
            f"(min(nodeStatusUpdateFrequency {secs(update)}, nodeLeaseDurationSeconds "
            f"{lease // durations.SECOND}), cmd/kubelet/app/server.go): an apiserver or etcd pause "
            f"that long (an etcd leader election) fails every renewal of every node at once; "
            f"give it at least {secs(wanted)} ({chosen(ctx, WARNING)})",
            at,
            group.hosts,
        )
