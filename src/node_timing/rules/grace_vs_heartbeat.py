"""# grace-vs-heartbeat

The node monitor grace period must span several kubelet heartbeats.

## Why

kube-controller-manager marks a node Unknown when its heartbeat has not moved for
`--node-monitor-grace-period`. The heartbeat interval H is the shorter of the lease renew
interval (a quarter of `nodeLeaseDurationSeconds`) and the effective status-report interval.
The flag's help text asks for a grace of at least 5 heartbeats (the kubelet's
`nodeStatusUpdateRetry`); with fewer than 2 a single late renewal flips the node NotReady
(kubernetes issue #80172, kubespray #4900). Evaluated per kubelet host.

Severity: error when grace < 2 × H, warning when grace < 5 × H.

## Failing example

```yaml
kube_controller_node_monitor_grace_period: 15s
kubelet_status_update_frequency: 10s
```

## Passing example

```yaml
kube_controller_node_monitor_grace_period: 50s
kubelet_status_update_frequency: 10s
```

## How to fix

Raise the grace period to at least 5 × H, or shorten the heartbeat interval; the `profile`
command computes a consistent set.
"""

from __future__ import annotations

ID = "grace-vs-heartbeat"
SEVERITY = "error"
SUMMARY = "The node monitor grace period must span several kubelet heartbeats"
