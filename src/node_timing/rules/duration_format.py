"""duration-format: a duration is not a Go duration, or is a bare number where a string is required.

kube-controller-manager and the kubelet read durations with Go's `time.ParseDuration`: a number
with a unit (`ns us µs ms s m h`), optionally several (`1m30s`) or with a fraction (`1.5m`). There
is no `d` unit, and a bare number is invalid except `0`. In the kubelet's configuration file a
duration must also be a YAML *string*: `nodeStatusReportFrequency: 300` is rejected. A value Go
rejects stops the component from starting. A 0 grace period, monitor period or kubelet update
frequency is no format error, but nothing upstream refuses it either: the component starts and runs
its loop with no pause, or marks every node Unknown; it is reported here as an error all the same.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 40        # no unit
kubelet_config_extra_args:
  nodeStatusReportFrequency: 1d                      # no d unit in Go
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 40s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 24h0m0s
```

**Fix.** Write a Go duration string: `40s`, `5m0s`, `24h`. `node-timing fix` adds the `s` to bare
numbers of kubelet fields documented in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import durations
from node_timing.findings import Finding, Severity
from node_timing.rules._common import component_hosts, component_of
from node_timing.settings import kind_of

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.fix.plan import Op, Planner

ID = "duration-format"
SEVERITY: Severity = "error"
SUMMARY = "a duration is not a Go duration, or is a bare number where a YAML string is required"


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.groups:
        for found in group.sources.values():
            for source in found:
                hosts = component_hosts(ctx, group, component_of(source.setting))
                if hosts and source.problem and kind_of(source.setting) == "duration":
                    fixable = (
                        isinstance(source.raw, int)
                        and not isinstance(source.raw, bool)
                        and source.setting.startswith("kubelet.")
                    )
                    yield ctx.finding(
                        ID,
                        source.problem
                        if _zero(source.raw)
                        else f"{source.problem}; the component will not start with it",
                        source,
                        hosts,
                        fixable=fixable,
                    )


def _zero(raw: object) -> bool:
    """A 0 duration: nothing upstream refuses it, so the component starts (and misbehaves)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int) or len(str(raw)) > 40:
        return False
    try:
        return durations.parse(str(raw).strip()) == 0
    except durations.DurationError:
        return False


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """A bare number of a kubelet field as the Go duration it meant (``300`` → ``5m0s``)."""
    ops = []
    for g, s in plan.sources_at(finding):
        t = plan.target(s, g)
        if t is None or isinstance(s.raw, bool) or not isinstance(s.raw, int):
            continue
        if not 0 <= s.raw <= durations.MAX_SECONDS:  # no Go duration holds it: left to a human
            continue
        # The kubelet documents these fields in seconds: a bare N meant N seconds.
        ops.append(
            plan.op("set", t[0], t[1], t[2], value=durations.format(durations.from_seconds(s.raw)))
        )
    return ops
