"""report-frequency: every kubelet rewrites its whole Node object at the update frequency.

The kubelet PATCHes its Node status when something changed or when `nodeStatusReportFrequency` has
passed (default 5m). But when `nodeStatusUpdateFrequency` is set explicitly and the report
frequency is not, the report frequency *inherits* the update frequency
(`pkg/kubelet/apis/config/v1beta1/defaults.go`). kubespray's kubelet template always writes
`nodeStatusUpdateFrequency`, so on a stock kubespray cluster every node rewrites its 13–16 KB Node
object every 10s: deckhouse#22175 measured about 9 GB/day of etcd writes at 62 nodes. Node leases
already carry liveness; the status report does not need to.

Also fires when the report frequency is explicitly shorter than the update frequency (it then
behaves like the update frequency), and when `--node-status-update-frequency` in
`kubelet_custom_flags` sets the update frequency: the flag does not move the report frequency,
which keeps inheriting the file's update frequency (kubelet-flag).

**Fails**

```yaml
kubelet_status_update_frequency: 10s      # report frequency inherits 10s
```

**Passes**

```yaml
kubelet_status_update_frequency: 10s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
```

**Fix.** Add `nodeStatusReportFrequency: 5m0s` to `kubelet_config_extra_args` (`node-timing fix`
does it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from node_timing import durations, figures, knowledge
from node_timing.display import human_bytes
from node_timing.evaluate.host_timing import settings_usable
from node_timing.evaluate.sources import plain
from node_timing.findings import Finding, Severity
from node_timing.rules._common import secs
from node_timing.settings import parse_value, to_output

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.fix.plan import Op, Planner

ID = "report-frequency"
SEVERITY: Severity = "warning"
SUMMARY = "the status report frequency inherits an explicit update frequency, or is shorter than it"

UPDATE = "kubelet.node_status_update_frequency"
REPORT = "kubelet.node_status_report_frequency"
KUBELET_ARGS = "kubelet_config_extra_args"


def check(ctx: LintContext) -> Iterator[Finding]:
    default_report = knowledge.default_for(REPORT, ctx.version)
    default_ns = parse_value(REPORT, default_report)
    for group in ctx.kubelet_groups:
        if not settings_usable(group, UPDATE, REPORT):
            continue
        k = group.settings.kubelet
        report = k.node_status_report_frequency
        update = k.node_status_update_frequency
        # a kubelet flag moves the update frequency but not the report frequency, which keeps
        # inheriting the file's (kubelet-flag): as short as the file's update frequency
        from_file = report is not None and group.kubelet_how.get(REPORT, "").startswith(
            "inherits the file's"
        )
        if report is not None and report >= update and not (from_file and report < default_ns):
            continue
        nodes = ctx.nodes_of(group)
        figs = figures.compute(group.settings, nodes, kube_version=ctx.version)
        load = (
            f"; {nodes} {'node writes' if nodes == 1 else 'nodes write'} {figs.status_reports_per_minute:g} Node status updates a minute, "
            f"about {human_bytes(figs.etcd_write_bytes_per_day)} of etcd writes a day"
            if nodes > 0
            else ""  # no hosts to count: no load figure
        )
        if report is None:
            message = (
                f"nodeStatusReportFrequency inherits kubelet_status_update_frequency ({secs(update)}): every "
                f"node rewrites its whole Node object every {secs(update)}{load}. Add "
                f"kubelet_config_extra_args.nodeStatusReportFrequency: {default_report}"
            )
            at = group.source(UPDATE)
        elif from_file:
            message = (
                f"nodeStatusReportFrequency inherits the nodeStatusUpdateFrequency of the kubelet's "
                f"configuration file ({secs(report)}); the --node-status-update-frequency flag in "
                f"kubelet_custom_flags does not move it: every node rewrites its whole Node object "
                f"every {secs(report)}{load}. Add kubelet_config_extra_args.nodeStatusReportFrequency: "
                f"{default_report}"
            )
            at = group.source(UPDATE)
        else:
            message = (
                f"nodeStatusReportFrequency {secs(report)} is shorter than nodeStatusUpdateFrequency "
                f"{secs(update)}, so it acts as {secs(update)}{load}. Set it to {default_report}"
            )
            at = group.source(REPORT)
        yield ctx.finding(ID, message, at, group.hosts, setting=REPORT, fixable=True)


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """Add the default report frequency; where the lease renews less often than the status
    was reported, shorten the lease with it so that the heartbeat interval (and with it
    grace-vs-heartbeat) stays as it was. Left alone when that lease cannot be set or would
    exceed the heartbeat budget: the fix must not make another rule fire."""
    report_ns = parse_value(REPORT, knowledge.default_for(REPORT, plan.ctx.version))
    default = to_output(REPORT, report_ns)
    ops: list[Op] = []
    fraction = float(knowledge.constraint("lease_renew_fraction"))
    leases: dict[int, int] = {}
    for g in plan.groups_of(finding, plan.ctx.kubelet_groups):
        k = g.settings.kubelet
        before = k.heartbeat_interval
        after = min(k.renew_interval, max(report_ns, k.node_status_update_frequency))
        if after > before:
            lease = math.floor(before / durations.SECOND / fraction)
            if lease < 1:
                return []
            leases[id(g)] = lease
    if leases and _over_budget(plan, leases):
        return []
    for g in plan.groups_of(finding, plan.ctx.kubelet_groups):
        wanted: dict[str, Any] = {"nodeStatusReportFrequency": default}
        if id(g) in leases:
            wanted["nodeLeaseDurationSeconds"] = leases[id(g)]
        holder = g.variables.get(KUBELET_ARGS)
        if holder is None:
            ops.append(plan.new_var(KUBELET_ARGS, wanted))
        elif isinstance(plain(holder), Mapping):
            for key, value in wanted.items():
                ops.append(plan.op("set", holder, KUBELET_ARGS, key, value=value))
    return ops


class _Budget:
    """The heartbeat-load rule's sum of lease writes per second, kept up to date as one fix run
    shortens leases: each finding's repair is checked against the leases already planned, in
    constant time per group (a sum over every group per finding grew as groups squared)."""

    def __init__(self, ctx: LintContext) -> None:
        groups = [g for g in ctx.kubelet_groups if g.hosts]
        hosts = sum(len(g.hosts) for g in groups)
        self.fraction = float(knowledge.constraint("lease_renew_fraction"))
        self.scale = ctx.nodes / hosts if hosts else 0.0
        self.rate_of = {
            id(g): len(g.hosts)
            * self.scale
            / (g.settings.kubelet.renew_interval / durations.SECOND)
            for g in groups
        }
        self.hosts_of = {id(g): len(g.hosts) for g in groups}
        self.before = self.total = sum(self.rate_of.values())
        self.budget = float(ctx.heartbeat_budget)

    def take(self, leases: Mapping[int, int]) -> bool:
        """Plan ``leases`` (group id -> new lease) unless they push the sum over the budget
        when it was within it before; True when planned."""
        changed = {
            gid: self.hosts_of[gid] * self.scale / (lease * self.fraction)
            for gid, lease in leases.items()
            if gid in self.rate_of
        }
        total = self.total + sum(rate - self.rate_of[gid] for gid, rate in changed.items())
        if total > self.budget >= self.before:
            return False
        self.total = total
        self.rate_of.update(changed)
        return True


def _over_budget(plan: Planner, leases: Mapping[int, int]) -> bool:
    budget = plan.state.get(ID)  # one budget per fix run, shared by its repairs
    if not isinstance(budget, _Budget):
        budget = plan.state[ID] = _Budget(plan.ctx)
    return not budget.take(leases)
