"""control-plane-drift: controller-manager or apiserver settings differ between control-plane hosts.

Every control-plane host runs its own kube-controller-manager and kube-apiserver. Only the leader
controller-manager monitors nodes, and leadership moves on restart or failure; apiservers add
tolerations to pods they admit. A host_vars file that changes one of these settings on one host
makes node failure handling depend on which instance happens to lead or to admit a pod.

**Fails**

```yaml
# host_vars/cp2.yml
kube_controller_node_monitor_grace_period: 20s    # cp1 and cp3 keep the group's value
```

**Passes**

```yaml
# group_vars/kube_control_plane.yml
kube_controller_node_monitor_grace_period: 20s
```

**Fix.** Set control-plane timing at group level (`group_vars/k8s_cluster/` or
`group_vars/kube_control_plane/`), never in host_vars.

The finding names the hosts that differ from the largest group of control-plane hosts; that group
is named in the message (its first hosts and how many more) and at its file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity
from node_timing.settings import setting_paths, to_output

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "control-plane-drift"
SEVERITY: Severity = "error"
SUMMARY = "controller-manager or apiserver settings differ between control-plane hosts"


def check(ctx: LintContext) -> Iterator[Finding]:
    groups = ctx.control_plane_groups
    if len(groups) < 2:
        return
    baseline = max(groups, key=lambda g: len(g.hosts))
    paths = [p for p in setting_paths() if not p.startswith("kubelet.")]
    for group in groups:
        if group is baseline:
            continue
        for path in paths:
            mine, theirs = group.source(path), baseline.source(path)
            if not (mine.usable and theirs.usable):
                continue
            if group.settings.get(path) == baseline.settings.get(path):
                continue
            at = mine if not mine.from_default else theirs
            here = to_output(path, group.settings.get(path))
            there = to_output(path, baseline.settings.get(path))
            yield ctx.finding(
                ID,
                f"{path.replace('_', '-').split('.')[1]} is {here} on {_some(group.hosts)} but {there} on "
                f"{_some(baseline.hosts)} ({theirs.location}): node failure handling would depend on which instance leads; "
                f"set {mine.name if not mine.from_default else theirs.name} once for all control-plane hosts",
                at,
                # Only the differing hosts: the baseline's hosts in every finding would make the
                # output (and the time) grow with differing groups × baseline hosts.
                group.hosts,
                setting=path,
            )


def _some(hosts: list[str]) -> str:
    """The first three hosts and how many more: a message stays one line however many differ."""
    return ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
