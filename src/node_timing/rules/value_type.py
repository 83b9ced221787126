"""value-type: a timing variable has the wrong type for what kubespray or the role does with it.

kubespray dumps `kubelet_config_extra_args` into the KubeletConfiguration and turns
`kube_kubeadm_controller_extra_args` / `kube_kubeadm_apiserver_extra_args` into kubeadm `extraArgs`:
each must be a mapping. A string or a list there fails the template or renders a broken file, and
none of its settings take effect. The role's own inputs have types too: `node_timing_node_count` is
a whole number ≥ 0, `node_timing_heartbeat_budget` a number > 0, `node_timing_overrides` a mapping.

**Fails**

```yaml
kubelet_config_extra_args: "nodeStatusReportFrequency: 5m0s"   # a string, not a mapping
node_timing_node_count: many
```

**Passes**

```yaml
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
node_timing_node_count: 120
```

**Fix.** Write the value with the type the message names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from node_timing import kubespray, profiles
from node_timing.display import brief
from node_timing.evaluate.sources import is_vault, plain
from node_timing.findings import Finding, Severity
from node_timing.rules._common import component_hosts, component_of, variable_position
from node_timing.templating import is_templated

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "value-type"
SEVERITY: Severity = "error"
SUMMARY = "an extra-args dict that is not a mapping, or a role input of the wrong type"


def _whole(value: Any) -> bool:
    return profiles.node_count_problem(value) is None


def _positive(value: Any) -> bool:
    return profiles.budget_problem(value) is None


ROLE_INPUTS = {
    "node_timing_node_count": (_whole, f"a whole number from 0 to {profiles.MAX_NODES:,}"),
    "node_timing_heartbeat_budget": (_positive, "a finite number of writes per second > 0"),
    "node_timing_overrides": (
        lambda v: isinstance(v, Mapping),
        'a mapping such as {"controller_manager.node_monitor_grace_period": "30s"}',
    ),
}


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.groups:
        for name in kubespray.extra_args():
            if name not in group.variables:
                continue
            value = plain(group.variables[name])
            if (
                value is None
                or isinstance(value, Mapping)
                or is_vault(value)
                or is_templated(value)
            ):
                continue
            readers = component_hosts(ctx, group, component_of(name))
            if not readers:
                continue
            location, noqa = variable_position(group, name, ctx.default_location)
            yield ctx.finding(
                ID,
                f"{name} must be a mapping of {'fields' if name.startswith('kubelet') else 'flags'} to values, "
                f"got {type(value).__name__} {brief(value)}: kubespray cannot render it and none of its "
                f"settings take effect",
                location,
                readers,
                setting=name,
                noqa=noqa,
            )
        for name, (valid, wanted) in ROLE_INPUTS.items():
            if name not in group.variables:
                continue
            value = plain(group.variables[name])
            if valid(value) or is_vault(value) or is_templated(value):
                continue
            location, noqa = variable_position(group, name, ctx.default_location)
            yield ctx.finding(
                ID,
                f"{name} must be {wanted}, got {brief(value)}",
                location,
                group.hosts,
                setting=name,
                noqa=noqa,
            )
