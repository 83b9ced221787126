"""yaml-load: a file of the inventory cannot be read or parsed, or a mapping repeats a key.

Ansible refuses to run with a vars file it cannot parse, and a repeated key silently
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

from node_timing.findings import Finding, Location, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "yaml-load"
SEVERITY: Severity = "error"
SUMMARY = "a file cannot be read or parsed, or a mapping repeats a key"

# Loader problem kinds that are this rule's; vault files are `unresolved-value` (info).
KINDS = frozenset({"yaml-load", "duplicate-key", "unreadable", "encoding"})


def check(ctx: LintContext) -> Iterator[Finding]:
    for problem in ctx.problems:
        kind = getattr(problem, "kind", "yaml-load")
        if kind == "vault":
            continue
        reported = getattr(problem, "severity", None)
        # the loader grades its own problems (a skipped file is a warning, a note info): the
        # finding keeps that grade; anything else is the default, error
        severity: Severity | None = reported if reported in ("warning", "info") else None
        yield ctx.finding(
            ID,
            str(problem.message),
            Location(
                str(problem.path),
                int(getattr(problem, "line", 0) or 0),
                int(getattr(problem, "column", 0) or 0),
            ),
            (),
            extra={"kind": kind},
            severity=severity,
        )
