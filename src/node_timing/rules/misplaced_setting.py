"""misplaced-setting: a setting in the wrong dict, or spelled in the wrong case.

The kubelet reads camelCase fields from its configuration file (`kubelet_config_extra_args`);
kube-controller-manager and kube-apiserver read dash-case flags (`kube_kubeadm_controller_extra_args`,
`kube_kubeadm_apiserver_extra_args`). A kubelet field in the controller's args, a flag name in the
kubelet's configuration, or `NodeStatusReportFrequency` instead of `nodeStatusReportFrequency` is
ignored at best and stops the component at worst (unknown flag).

`kubelet_custom_flags` goes on the kubelet's command line after `--config`: of the timing settings
only `--node-status-update-frequency` is a kubelet flag (cmd/kubelet/app/options/options.go);
`--node-status-report-frequency`, `--node-lease-duration-seconds` or a controller flag there is an
unknown flag and the kubelet does not start. A plain string instead of a list is joined character
by character by kubespray's `join(' ')`, so none of its flags arrives.

**Fails**

```yaml
kubelet_config_extra_args:
  node-status-report-frequency: 5m0s        # a flag name in a config file
kube_kubeadm_controller_extra_args:
  nodeMonitorGracePeriod: 50s               # camelCase flag
```

**Passes**

```yaml
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
kube_controller_node_monitor_grace_period: 50s
```

**Fix.** Move or rename the key as the message says (`node-timing fix` does it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from node_timing import knowledge, kubespray
from node_timing.display import cut
from node_timing.evaluate.resolution import kubelet_flag_settings
from node_timing.evaluate.sources import plain
from node_timing.findings import Finding, Severity
from node_timing.rules._common import dict_entries, parsed, variable_position, where_set
from node_timing.settings import SettingError, parse_value, to_output, to_text

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.evaluate.host_timing import HostTiming
    from node_timing.fix.plan import Op, Planner

ID = "misplaced-setting"
SEVERITY: Severity = "error"
SUMMARY = "a kubelet field in controller/apiserver args, a flag name in kubelet_config_extra_args, or the wrong case"


def canonical(key: str) -> str:
    return re.sub(r"[-_\s]", "", key.lstrip("-")).lower()


@cache
def spellings() -> dict[str, str]:
    """Canonical spelling → setting path, for every key a setting has in any dict or upstream."""
    index: dict[str, str] = {}
    for fact in kubespray.extra_args().values():
        for key, path in fact["keys"].items():
            index[canonical(key)] = path
    for path, fact in knowledge.setting_facts().items():
        index.setdefault(canonical(fact["upstream_name"]), path)
    return index


def placement(path: str) -> tuple[str, str] | None:
    """The (dict, key) where ``path`` belongs, if it has an extra-args key."""
    return kubespray.extra_arg_for(path)


def _custom_flags(ctx: LintContext, group: HostTiming) -> Iterator[Finding]:
    flags = group.custom_flags
    if flags is None:
        return
    location, noqa = variable_position(group, "kubelet_custom_flags", ctx.default_location)
    if flags.problem is not None:
        yield ctx.finding(ID, flags.problem, location, group.hosts, noqa=noqa)
        return
    index = spellings()
    kubelet_flags = kubelet_flag_settings()
    for flag in flags.flags:
        path = index.get(canonical(flag.name))
        if path is None or flag.name in kubelet_flags:
            continue
        yield ctx.finding(
            ID,
            f"kubelet_custom_flags {cut(flag.written)}: the kubelet has no --{flag.name} flag and "
            f"will not start with it; set {where_set(path)} instead",
            location,
            group.hosts,
            setting=path,
            noqa=noqa,
        )


def check(ctx: LintContext) -> Iterator[Finding]:
    index = spellings()
    for group in ctx.groups:
        yield from _custom_flags(ctx, group)
        for dict_name, fact in kubespray.extra_args().items():
            known = fact["keys"]
            for key, _value, location, noqa in dict_entries(group, dict_name):
                if key in known:
                    continue
                path = index.get(canonical(key))
                if path is None or canonical(key) in {
                    canonical(f) for f in knowledge.removed_flags()
                }:
                    continue
                right = placement(path)
                var = kubespray.variable_for(path)
                if var is not None:
                    # the right key in this dict would repeat the variable kubespray always
                    # renders (duplicate-setting): the variable is where it goes
                    message = (
                        f"{dict_name}.{key} is not read as {path.partition('.')[2]}: "
                        f"{fact['component'].replace('_', '-')} ignores it here; set {var} instead "
                        f"and remove the key"
                    )
                elif right is not None and right[0] == dict_name:
                    message = f"{dict_name}.{key} is spelled wrong: {fact['component']} reads {right[1]!r}; rename it"
                else:
                    component = path.split(".")[0].replace("_", "-")
                    message = (
                        f"{dict_name}.{key} is a {component} setting, not a {fact['component'].replace('_', '-')} one: "
                        f"it has no effect here; set {where_set(path)} instead"
                    )
                yield ctx.finding(
                    ID,
                    message,
                    location,
                    group.hosts,
                    setting=path,
                    noqa=noqa,
                    fixable=True,
                    extra={"dict": dict_name, "key": key, "target": right},
                )


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """Move the key to the variable or dict (and spelling) its component reads; nothing when the
    value does not parse or the right place already holds another value."""
    dict_name = str(finding.extra.get("dict"))
    key = str(finding.extra.get("key"))
    path = finding.setting or ""
    ops: list[Op] = []
    for g in plan.groups_of(finding):
        holder = g.variables.get(dict_name)
        content = plain(holder) if holder is not None else None
        if not isinstance(content, Mapping) or key not in content:
            continue
        try:
            value_parsed = parse_value(path, content[key])
        except SettingError:
            return []
        if value_parsed is None:
            return []
        var = kubespray.variable_for(path)
        if var is not None:
            ops.append(plan.op("delete", holder, dict_name, key))
            current = g.variables.get(var)
            if current is not None and parsed(path, plain(current)) == value_parsed:
                continue
            if current is not None:
                return []  # set to another value too: which one was meant is unknown
            placed = plan.place_variable(
                g, var, to_text(path, value_parsed), holder, dict_name, finding.hosts
            )
            if placed is None:
                return []
            ops.extend(placed)
            continue
        right = kubespray.extra_arg_for(path)
        if right is None:
            return []
        right_dict, right_key = right
        value = _dict_value(right_dict, path, value_parsed)
        if right_dict == dict_name:
            if right_key in content:
                if parsed(path, content[right_key]) != value_parsed:
                    return []
                ops.append(plan.op("delete", holder, dict_name, key))
            else:
                ops.append(
                    plan.op("rename", holder, dict_name, key, value=value, new_key=right_key)
                )
            continue
        ops.append(plan.op("delete", holder, dict_name, key))
        other = g.variables.get(right_dict)
        other_content = plain(other) if other is not None else None
        if other is None:
            ops.append(plan.op("add_var", holder, dict_name, right_dict, value={right_key: value}))
        elif not isinstance(other_content, Mapping):
            return []
        elif right_key in other_content:
            if parsed(path, other_content[right_key]) != value_parsed:
                return []
        else:
            ops.append(plan.op("set", other, right_dict, right_key, value=value))
    return ops


def _dict_value(dict_name: str, path: str, value: Any) -> Any:
    """``value`` as the dict writes it: dash-case flags take text, the kubelet's file YAML."""
    if kubespray.extra_args()[dict_name]["key_style"] == "dash-case":
        return to_text(path, value)
    return to_output(path, value)
