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
# what `node-timing profile fast --nodes 6` prints, for an inventory of 6 hosts
node_timing_profile: fast
kubelet_status_update_frequency: 4s
kube_controller_node_monitor_grace_period: 20s
kube_controller_node_monitor_period: 2s
kube_apiserver_pod_eviction_not_ready_timeout_seconds: "30"
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
  nodeLeaseDurationSeconds: 16
```

**Fix.** `node-timing fix --profile NAME` writes the profile's values; or record the change in
`node_timing_overrides`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from node_timing import kubespray, profiles
from node_timing.evaluate.sources import NODE_TIMING_VAR, plain
from node_timing.findings import Finding, Severity
from node_timing.knowledge import KnowledgeError
from node_timing.rules._common import parsed, where_set
from node_timing.settings import SettingError, parse_value, setting_paths, to_output

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.fix.plan import Op, Planner

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
        from node_timing.evaluate.sources import value_location, value_noqa

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


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """Nothing per finding: the whole profile is applied at once (``apply_profile``), since its
    settings are computed together."""
    return []


def apply_profile(plan: Planner, settings: Any, profile_name: str) -> list[Op]:
    """Set every timing variable and extra-args key that ``settings`` computes."""
    ctx = plan.ctx
    ops: list[Op] = []
    holder = ctx.cluster.variables.get("node_timing_profile")
    if holder is not None and plain(holder) != profile_name:
        ops.append(plan.op("set", holder, "node_timing_profile", value=profile_name))
    groups = {id(g): g for g in [*ctx.kubelet_groups, *(ctx.control_plane_groups or [ctx.cluster])]}
    # by identity and by hosts, never by comparing groups field by field (quadratic)
    kubelet = {id(k) for k in ctx.kubelet_groups} | {tuple(k.hosts) for k in ctx.kubelet_groups}
    control_plane = ctx.control_plane_groups or [ctx.cluster]
    control = {id(c) for c in control_plane} | {tuple(c.hosts) for c in control_plane}
    for g in groups.values():
        components = set()
        if id(g) in kubelet or tuple(g.hosts) in kubelet:
            components.add("kubelet")
        if id(g) in control or tuple(g.hosts) in control:
            components |= {"controller_manager", "apiserver"}
        current = {
            name: dict(plain(g.variables[name]))
            for name in kubespray.extra_args()
            if name in g.variables and isinstance(plain(g.variables[name]), Mapping)
        }
        wanted = kubespray.to_vars(settings, current, ctx.version)
        for var, fact in kubespray.variables().items():
            path = fact["setting"]
            if path.split(".")[0] not in components:
                continue
            want = wanted[var]
            have = g.variables.get(var)
            if have is not None:
                if parsed(path, plain(have)) != parse_value(path, want):
                    ops.append(plan.op("set", have, var, value=want))
            else:
                # even a value equal to kubespray's role default: the inventory then holds the
                # whole profile, whatever default the next kubespray release ships
                ops.append(plan.new_var(var, want))
        for dict_name, fact in kubespray.extra_args().items():
            if fact["component"] not in components:
                continue
            want_dict = wanted.get(dict_name) or {}
            timing_keys = [k for k in fact["keys"] if k in want_dict]
            have_holder = g.variables.get(dict_name)
            if have_holder is None:
                if timing_keys:
                    ops.append(plan.new_var(dict_name, {k: want_dict[k] for k in timing_keys}))
                continue
            have_dict = plain(have_holder)
            if not isinstance(have_dict, Mapping):
                continue
            for key in have_dict:
                if key not in want_dict:
                    ops.append(plan.op("delete", have_holder, dict_name, str(key)))
            for key in timing_keys:
                path = fact["keys"][key]
                if key not in have_dict or parsed(path, have_dict[key]) != parsed(
                    path, want_dict[key]
                ):
                    ops.append(plan.op("set", have_holder, dict_name, key, value=want_dict[key]))
    return [dataclasses.replace(o, rule=ID) for o in ops]
