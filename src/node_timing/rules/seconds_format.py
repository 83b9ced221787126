"""seconds-format: toleration seconds or nodeLeaseDurationSeconds are not plain integers.

`--default-not-ready-toleration-seconds`, `--default-unreachable-toleration-seconds` and the
kubelet's `nodeLeaseDurationSeconds` are integers without a unit (lease > 0). kubespray #7929:
`kube_apiserver_pod_eviction_not_ready_timeout_seconds: 30s` broke cluster creation. In the
kubelet's configuration file the lease duration must be a YAML integer, not a string.

**Fails**

```yaml
kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30s
kubelet_config_extra_args:
  nodeLeaseDurationSeconds: "40"
```

**Passes**

```yaml
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"
kubelet_config_extra_args:
  nodeLeaseDurationSeconds: 40
```

**Fix.** Write the number of seconds alone. `node-timing fix` turns `"30s"` into `"30"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from node_timing.findings import Finding, Severity
from node_timing.rules._common import component_hosts, component_of

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.fix.plan import Op, Planner

ID = "seconds-format"
SEVERITY: Severity = "error"
SUMMARY = "toleration seconds or nodeLeaseDurationSeconds are not plain integers"

SETTINGS = (
    "kubelet.node_lease_duration_seconds",
    "apiserver.default_not_ready_toleration_seconds",
    "apiserver.default_unreachable_toleration_seconds",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.groups:
        for path in SETTINGS:
            for source in group.sources[path]:
                hosts = component_hosts(ctx, group, component_of(path))
                if source.problem and hosts:
                    text = str(source.raw).strip()
                    fixable = text.isascii() and (
                        (text.endswith("s") and text[:-1].isdigit()) or text.isdigit()
                    )
                    yield ctx.finding(ID, source.problem, source, hosts, fixable=fixable)


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """The number of seconds alone (``"30s"`` → ``"30"``); the kubelet's lease as a YAML integer."""
    ops = []
    for g, s in plan.sources_at(finding):
        m = re.fullmatch(r"\s*([0-9]+)s?\s*", str(s.raw))
        t = plan.target(s, g)
        if not m or t is None or len(m.group(1)) > 18:  # no int64: nothing to repair to
            continue
        number = int(m.group(1))
        value: Any = number if s.setting == "kubelet.node_lease_duration_seconds" else str(number)
        ops.append(plan.op("set", t[0], t[1], t[2], value=value))
    return ops
