"""profile-drift: `node_timing_profile` is set and the effective settings differ from it.

An inventory that declares a profile (`node_timing_profile: fast`) promises the settings that
profile computes for its node count and Kubernetes version (with `node_timing_overrides` applied).
A value changed by hand later breaks the promise silently.

**Fails**

```yaml
node_timing_profile: fast
kube_controller_node_monitor_grace_period: 40s    # fast computes 20s
```

**Passes**

```yaml
node_timing_profile: fast
kube_controller_node_monitor_grace_period: 20s
```

**Fix.** `node-timing fix --profile NAME` writes the profile's values; or record the change in
`node_timing_overrides`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from node_timing import profiles
from node_timing.effective import NODE_TIMING_VAR, plain
from node_timing.findings import Finding, Severity
from node_timing.knowledge import KnowledgeError
from node_timing.rules._common import where_set
from node_timing.settings import SettingError, setting_paths, to_output

if TYPE_CHECKING:
    from node_timing.lint import LintContext

ID = "profile-drift"
SEVERITY: Severity = "warning"
SUMMARY = "node_timing_profile is set and the effective settings differ from what it computes"

# The HTTP/2 timeouts live in the kubelet's environment, which kubespray cannot set: they are
# compared only when the inventory sets them through the role's variables.
ENVIRONMENT = ("kubelet.http2_read_idle_timeout_seconds", "kubelet.http2_ping_timeout_seconds")


def check(ctx: LintContext) -> Iterator[Finding]:
    holder = ctx.cluster.variables.get("node_timing_profile")
    if holder is None:
        return
    name = plain(holder)
    overrides_raw = plain(ctx.cluster.variables.get("node_timing_overrides")) or {}
    overrides: dict[str, Any] = dict(overrides_raw) if isinstance(overrides_raw, dict) else {}
    try:
        expected = profiles.compute(
            str(name), ctx.nodes, str(ctx.version), overrides, ctx.heartbeat_budget
        ).settings
    except (profiles.ProfileError, SettingError, KnowledgeError) as exc:
        from node_timing.effective import value_location, value_noqa

        yield ctx.finding(
            ID,
            f"node_timing_profile {name!r} cannot be computed: {exc}",
            value_location(holder, ctx.default_location),
            ctx.cluster.hosts,
            noqa=value_noqa(holder),
        )
        return
    for path in setting_paths():
        groups = (
            ctx.kubelet_groups
            if path.startswith("kubelet.")
            else (ctx.control_plane_groups or [ctx.cluster])
        )
        for group in groups:
            source = group.source(path)
            if not source.usable:
                continue
            if path in ENVIRONMENT and source.kind != NODE_TIMING_VAR:
                continue
            have, want = group.settings.get(path), expected.get(path)
            if have == want:
                continue
            want_text = (
                to_output(path, want) if want is not None else "inherit the update frequency"
            )
            have_text = (
                to_output(path, have) if have is not None else "inherits the update frequency"
            )
            yield ctx.finding(
                ID,
                f"profile {name} computes {path} = {want_text} for {ctx.nodes} nodes on Kubernetes "
                f"{ctx.version.minor_text}, but it is {have_text}: set {where_set(path)} or record the "
                f"change in node_timing_overrides",
                source,
                group.hosts,
                setting=path,
                fixable=True,
                extra={"expected": to_output(path, want)},
            )
