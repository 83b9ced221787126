"""heartbeat-load: lease renewals exceed the heartbeat write budget for the node count.

Every kubelet writes its Lease every R = nodeLeaseDurationSeconds / 4: N nodes make N / R writes a
second to the apiserver and etcd. The budget is node-timing's choice, not an upstream limit (no
Kubernetes document sets one): by default what upstream's defaults produce at the largest cluster
size Kubernetes documents, 5,000 nodes / R = 10s = 500 writes/s. Move it with
`node_timing_heartbeat_budget`, `--heartbeat-budget`, or `heartbeat_budget` in `.node-timing.yml`.
The node count is the number of `k8s_cluster` hosts unless `--nodes` or `node_timing_node_count`
says otherwise.

**Fails**

```yaml
node_timing_node_count: 5000
kubelet_config_extra_args:
  nodeLeaseDurationSeconds: 16      # R = 4s: 1,250 writes/s
```

**Passes**

```yaml
node_timing_node_count: 5000
kubelet_config_extra_args:
  nodeLeaseDurationSeconds: 40      # R = 10s: 500 writes/s
```

**Fix.** Lengthen the lease (and the grace period with it: `node-timing profile NAME --nodes N`
computes both).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations, knowledge
from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "heartbeat-load"
SEVERITY: Severity = "warning"
SUMMARY = "lease writes per second exceed the heartbeat budget for the node count"

LEASE = "kubelet.node_lease_duration_seconds"


def check(ctx: LintContext) -> Iterator[Finding]:
    groups = [g for g in ctx.kubelet_groups if settings_usable(g, LEASE) and g.hosts]
    hosts = sum(len(g.hosts) for g in groups)
    if not groups or hosts == 0:
        return
    scale = ctx.nodes / hosts
    rate = sum(
        len(g.hosts) * scale / (g.settings.kubelet.renew_interval / durations.SECOND)
        for g in groups
    )
    if rate <= ctx.heartbeat_budget:
        return
    fraction = knowledge.constraint("lease_renew_fraction")
    renew = math.ceil(ctx.nodes / ctx.heartbeat_budget)
    lease = round(renew / fraction)
    worst = min(groups, key=lambda g: g.settings.kubelet.renew_interval)
    message = (
        f"{ctx.nodes} nodes renew their leases {rate:g} times a second, over the budget of "
        f"{ctx.heartbeat_budget:g}/s; lengthen nodeLeaseDurationSeconds to {lease} (renew every {renew}s) and "
        f"the grace period with it (`node-timing profile --nodes {ctx.nodes}` computes both)"
    )
    yield ctx.finding(ID, message, worst.source(LEASE), [h for g in groups for h in g.hosts])
