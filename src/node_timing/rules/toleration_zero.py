"""toleration-zero: a default toleration of 0 seconds evicts pods on every blip.

The apiserver adds `tolerationSeconds` for the not-ready and unreachable taints to every pod that
has none. With 0, a node that misses a few heartbeats (an apiserver restart, a network hiccup)
loses all its pods immediately, and they are rescheduled elsewhere at once.

**Fails**

```yaml
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "0"
```

**Passes**

```yaml
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"
```

**Fix.** Use at least 30 seconds; tolerate longer in pods that must not move.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "toleration-zero"
SEVERITY: Severity = "warning"
SUMMARY = "a default toleration of 0 seconds evicts on every blip"

SETTINGS = (
    "apiserver.default_not_ready_toleration_seconds",
    "apiserver.default_unreachable_toleration_seconds",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.control_plane_groups or [ctx.cluster]:
        for path in SETTINGS:
            source = group.source(path)
            if source.usable and group.settings.get(path) == 0:
                taint = "not-ready" if "not_ready" in path else "unreachable"
                yield ctx.finding(
                    ID,
                    f"{source.name} is 0: pods are evicted the moment a node is {taint}, on every missed "
                    f"heartbeat; use at least 30",
                    source,
                    group.hosts,
                )
