"""slow-status: a long status update frequency delays node conditions and volume mounts (info).

The kubelet computes its node status every `nodeStatusUpdateFrequency`
(pkg/kubelet/kubelet_node_status.go). Liveness goes through the Lease, but the status carries the
rest: node conditions (MemoryPressure, DiskPressure, PIDPressure) that the scheduler and the
eviction of pods react to, and `VolumesInUse`. A volume that must be attached (a cloud disk, iSCSI,
most CSI volumes) is mounted only once the node's status lists it in `VolumesInUse`
(pkg/volume/util/operationexecutor/operation_generator.go VerifyControllerAttachedVolume): with an
update frequency of 1m, a pod with such a volume may wait up to a minute longer to start, and a
condition change reaches the control plane up to a minute late. kubespray's reliability guide's
`low` setting (1m) and node-timing's `low` profile are reported. The threshold is node-timing's
choice: reported at or above `slow-status.info` seconds (default 60); move it with
`thresholds: {slow-status.info: S}` in `.node-timing.yml`.

**Reported**

```yaml
kubelet_status_update_frequency: 2m0s
kube_controller_node_monitor_grace_period: 10m0s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
```

**Not reported**

```yaml
kubelet_status_update_frequency: 20s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
```

**Fix.** Nothing, if slow volume attachment and late conditions are acceptable for the write load
saved. Otherwise shorten `kubelet_status_update_frequency`: the report frequency, not the update
frequency, sets how often an unchanged status is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations
from node_timing.evaluate.host_timing import settings_usable
from node_timing.findings import Finding, Severity
from node_timing.rules._common import chosen, secs

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "slow-status"
SEVERITY: Severity = "info"
SUMMARY = "a long status update frequency delays node conditions and attach-required volume mounts"

UPDATE = "kubelet.node_status_update_frequency"
INFO = f"{ID}.info"


def check(ctx: LintContext) -> Iterator[Finding]:
    least = ctx.threshold(INFO) * durations.SECOND
    for group in ctx.kubelet_groups:
        if not settings_usable(group, UPDATE):
            continue
        update = group.settings.kubelet.node_status_update_frequency
        if update < least:
            continue
        yield ctx.finding(
            ID,
            f"nodeStatusUpdateFrequency {secs(update)}: node conditions reach the control plane up "
            f"to {secs(update)} late, and a volume that must be attached mounts only once the "
            f"node's status lists it in VolumesInUse, up to {secs(update)} later "
            f"(operation_generator.go VerifyControllerAttachedVolume; {chosen(ctx, INFO)})",
            group.source(UPDATE),
            group.hosts,
        )
