"""kube-version: `kube_version` is unparseable or outside the versions node-timing knows.

Defaults and accepted flags change between Kubernetes minors (the grace period default moved to
50s in 1.32; `--pod-eviction-timeout` is gone since 1.27), so every version-dependent check needs
the minor. node-timing knows 1.24 through 1.37; `kube_version` may be written with or without a
leading `v`. When `kube_version` is not set, kubespray's default version is assumed.

**Fails**

```yaml
kube_version: latest
```

```yaml
kube_version: v1.12.3
```

**Passes**

```yaml
kube_version: v1.35.4
```

**Fix.** Write the version as `v1.35.4` (or `1.35`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "kube-version"
SEVERITY: Severity = "error"
SUMMARY = "kube_version is unparseable or outside the known facts"


def check(ctx: LintContext) -> Iterator[Finding]:
    problem = ctx.version_problem
    if problem is not None and problem.kind == "invalid":
        yield ctx.finding(ID, problem.message, problem.location, (), noqa=problem.noqa)
