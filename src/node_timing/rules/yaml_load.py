"""yaml-load: a file of the inventory cannot be read or parsed, or a mapping repeats a key.

**Why.** Ansible refuses to run with a vars file it cannot parse, and a repeated key silently
keeps only the last value: the value a reviewer reads first is not the one deployed.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 40s
kube_controller_node_monitor_grace_period: 20s   # repeated: Ansible keeps this one
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 20s
```

**Fix.** Repair the YAML at the line given; keep each key once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "yaml-load"
SEVERITY = "error"
SUMMARY = "a file cannot be read or parsed, or a mapping repeats a key"

# Loader problem kinds that are this rule's; vault files are `unresolved-value` (info).
KINDS = frozenset({"yaml-load", "duplicate-key", "unreadable", "encoding"})


def check(ctx: LintContext) -> Iterator[Finding]:
    for problem in ctx.problems:
        kind = getattr(problem, "kind", "yaml-load")
        if kind == "vault":
            continue
        reported = getattr(problem, "severity", None)
        severity: Severity = (
            "warning" if reported == "warning" else "info" if reported == "info" else "error"
        )
        yield Finding(
            rule=ID,
            severity=severity,
            message=str(problem.message),
            path=str(problem.path),
            line=int(getattr(problem, "line", 0) or 0),
            column=int(getattr(problem, "column", 0) or 0),
            extra={"noqa": frozenset(), "kind": kind},
        )
