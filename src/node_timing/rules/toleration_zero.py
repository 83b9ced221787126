"""toleration-zero: a default toleration of 0 seconds (or less) evicts as soon as the taint lands.

The apiserver's DefaultTolerationSeconds admission plugin adds `tolerationSeconds` for the
not-ready and unreachable taints to every pod that has none. The taint comes only after the
controller has marked the node (a grace period without a heartbeat, then the next monitor pass);
with 0 the pods are deleted the moment it lands, so any outage a little longer than the grace
period (an apiserver restart, a network partition, an etcd leader election) moves every pod of the
node at once, with no time for the node to come back. A negative value is valid (an `int64`
flag) and does the same: a `tolerationSeconds` ≤ 0 evicts at once
(pkg/controller/tainteviction/taint_eviction.go getMinTolerationTime).

**Fails**

```yaml
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "0"
```

```yaml
kube_kubeadm_apiserver_extra_args:
  default-not-ready-toleration-seconds: "-1"   # valid: evicts at once, as 0 does
```

**Passes**

```yaml
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"
```

**Fix.** Give pods time to outlast a short outage. How long is a choice, not an upstream rule:
node-timing's `fast` profile uses 30 seconds (kubespray's reliability guide's fast setting), the
default is 300. Pods that must not move can carry longer tolerations of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "toleration-zero"
SEVERITY: Severity = "warning"
SUMMARY = "a default toleration of 0 seconds or less evicts the moment the taint lands"

SETTINGS = (
    "apiserver.default_not_ready_toleration_seconds",
    "apiserver.default_unreachable_toleration_seconds",
)


# node-timing's suggestion (its fast profile, from kubespray's reliability guide): no upstream number
SUGGESTED = "30"


def check(ctx: LintContext) -> Iterator[Finding]:
    for group in ctx.control_plane_groups or [ctx.cluster]:
        for path in SETTINGS:
            source = group.source(path)
            if source.usable and group.settings.get(path) == 0:
                taint = "not-ready" if "not_ready" in path else "unreachable"
                value = str(source.raw).strip()
                what = (
                    f"{source.name} is {value}: a negative toleration evicts as 0 does"
                    if value.startswith("-")
                    else f"{source.name} is 0"
                )
                yield ctx.finding(
                    ID,
                    f"{what}: pods are deleted the moment the {taint} taint lands (one monitor "
                    f"pass after the node is marked), so an outage a little longer than the grace "
                    f"period moves every pod of the node at once; give them time to outlast it "
                    f"(node-timing's fast profile uses {SUGGESTED}, the default is 300)",
                    source,
                    group.hosts,
                    extra=_suggestion(source.name),
                )


def _suggestion(name: str) -> dict[str, object] | None:
    """The edit the message suggests, for a first-class variable or an extra-args key."""
    var, _, key = name.partition(".")
    return {"suggest": [("set", var, key or None, SUGGESTED)]}
