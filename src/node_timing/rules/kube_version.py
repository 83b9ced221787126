"""kube-version: `kube_version` is unparseable, outside the versions node-timing knows, or one the
kubespray release does not deploy.

Defaults and accepted flags change between Kubernetes minors (the grace period default moved to
50s in 1.32; `--pod-eviction-timeout` is gone since 1.27), so every version-dependent check needs
the minor. node-timing knows 1.24 through 1.37; `kube_version` may be written with or without a
leading `v`. When `kube_version` is not set, kubespray's default version is assumed.

kubespray deploys only the versions it has checksums for, written its way: `v1.31.9` up to
kubespray 2.27, `1.33.5` from 2.28 (a leading `v` or a missing patch stops the deployment).
The release comes from `--kubespray-version`, `kubespray_version` in `.node-timing.yml` or the
`galaxy.yml` of the kubespray checkout holding the inventory: a version it does not deploy is an
error then. Without any of these the newest release is assumed and the finding is a warning that
says so.

**Fails**

```yaml
kube_version: latest
```

```yaml
kube_version: v1.35.4   # kubespray 2.28 and later want 1.35.4
```

```yaml
kube_version: 1.33.5    # no release named: master is assumed, and it deploys 1.34-1.36
```

**Warns**

```yaml
kube_version: v1.12.3   # outside the facts: the checks that depend on the version are skipped
```

A version outside the facts is never judged with another version's: its defaults, flags and
limits are unknown, so only the checks that read what is written run (the syntax and type of
values, unknown names, drift between places).

**Passes**

```yaml
kube_version: 1.35.4    # kubespray 2.31 and master
```

**Fix.** Write a version the kubespray release has checksums for, in its format (`1.35.4`).
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
        yield ctx.finding(
            ID,
            problem.message,
            problem.location,
            (),
            noqa=problem.noqa,
            # nothing is known to be wrong with the version: only node-timing cannot judge it
            severity="warning" if problem.outside else None,
        )
    release = ctx.release_problem
    if release is not None:
        yield ctx.finding(
            ID,
            release.message,
            release.location,
            (),
            # a release read from the checkout or named is certain; a guessed one is not
            severity="error" if release.release.how == "known" else "warning",
            noqa=release.noqa,
            extra={"kubespray_release": release.release.name, "release_from": release.release.how},
        )
