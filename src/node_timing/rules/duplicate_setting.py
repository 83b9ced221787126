"""duplicate-setting: one setting given twice; says which value runs and why.

kubespray always renders its first-class variables (from its role defaults when the inventory does
not set them) and then the extra-args dicts, so a key such as
`kube_kubeadm_controller_extra_args: {node-monitor-grace-period: ...}` is rendered a second time
(kubespray issue #12021). Which value runs:

- kubeadm v1beta4 (Kubernetes 1.31+): every entry is passed. Before PR kubernetes/kubernetes#135400
  kubeadm sorted them by (name, value) as text, so the greatest text runs ("40s" beats "20s", "5s"
  beats "10s", "300" beats "30"); from 1.34.4, 1.35.1 and 1.36 it keeps kubespray's order and the
  extra-args value, rendered last, runs. With a minor version only (1.35) both are possible: set
  `kube_version` to the patch release. The 1.32/1.33 backports are not confirmed.
- kubeadm v1beta3 (a map): the repeated key fails kubespray's `kubeadm config validate`
  (`kubeadm_config_validate_enabled`, default true) and the deployment stops; without validation
  the last key, the extra-args value, runs.
- Which of the two kubespray renders: up to 2.30, `kubeadm_config_api_version` (default v1beta4
  from Kubernetes 1.31); from 2.31 only the v1beta4 template exists, so with a known release
  (`--kubespray-version`, `kubespray_version` or the checkout's galaxy.yml) of 2.31 or later an
  inventory's v1beta3 changes nothing.
- kubelet: `kubelet_config_extra_args` is appended to the configuration file; the repeated key makes
  the kubelet fall back to lenient decoding and the extra-args value runs. A flag in
  `kubelet_custom_flags` overrides the file.

Error when the values differ, warning when they are equal.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 40s
kube_kubeadm_controller_extra_args:
  node-monitor-grace-period: 20s     # 1.34.3: "40s" sorts last and runs
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 20s
```

**Fix.** `node-timing fix` keeps the value that runs: it sets the first-class variable to it and
removes the extra-args key. When the value that runs is not known (a minor version without a
patch, a v1beta3 file that fails validation) or comes from `kubelet_custom_flags`, it changes
nothing and the message shows both values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import kubespray
from node_timing.display import cut
from node_timing.evaluate.host_timing import HostTiming
from node_timing.evaluate.resolution import kubelet_flag_settings
from node_timing.evaluate.sources import (
    EXTRA_ARG,
    KUBELET_FLAG,
    KUBESPRAY_DEFAULT,
    VARIABLE,
    Source,
)
from node_timing.findings import Finding, Severity
from node_timing.settings import to_output, to_text

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.fix.plan import Op, Planner

ID = "duplicate-setting"
SEVERITY: Severity = "error"
SUMMARY = "a setting is given both as a kubespray variable and as an extra-args key"


def check(ctx: LintContext) -> Iterator[Finding]:
    first_class = {fact["setting"]: name for name, fact in kubespray.variables().items()}
    for group in ctx.groups:
        for path, var in first_class.items():
            found = group.sources[path]
            primary = [s for s in found if s.kind in (VARIABLE, KUBESPRAY_DEFAULT)]
            extras = [s for s in found if s.kind == EXTRA_ARG]
            if primary and extras:
                yield from _duplicate(ctx, group, path, var, primary[0], extras)
        yield from _flags(ctx, group)


def _shown(path: str, source: Source) -> str:
    return to_output(path, source.value) if source.usable else cut(str(source.raw))


def _duplicate(
    ctx: LintContext,
    group: HostTiming,
    path: str,
    var: str,
    first: Source,
    extras: list[Source],
) -> Iterator[Finding]:
    resolution = group.resolutions.get(path)
    for extra in extras:
        if first.usable and extra.usable:
            same = first.value == extra.value
        else:
            same = str(first.raw).strip() == str(extra.raw).strip()
        shown_first, shown_extra = _shown(path, first), _shown(path, extra)
        origin = "kubespray's default" if first.kind == KUBESPRAY_DEFAULT else "set"
        hidden = first.unresolved or extra.unresolved
        runs: Source | None = extra
        fixable = True
        if hidden:
            # a vault or unresolved template never fails the run by itself: the values
            # cannot be compared, only the repetition is certain
            message = (
                f"{extra.name} repeats {var} ({origin}); one value is {hidden}, so whether they "
                f"differ is unknown; kubespray renders both: keep one"
            )
            same = True
        elif same:
            message = (
                f"{extra.name} repeats {var} ({origin}, same value {shown_extra}); kubespray "
                f"renders both: remove {extra.name}"
            )
        else:
            if resolution is not None and resolution.winner is None:
                runs, fixable = None, False
                why = resolution.reason
                advice = f"keep the value you mean in {var} and remove {extra.name}"
            else:
                if resolution is not None and resolution.winner is not None:
                    runs = first if resolution.winner.origin == first.name else extra
                    why = resolution.reason
                else:
                    why = (
                        "the kubelet decodes the repeated key leniently and keeps the last, "
                        f"{extra.name}"
                    )
                shown_runs = shown_extra if runs is extra else shown_first
                advice = f"{shown_runs} runs; set {var}: {shown_runs} and remove {extra.name}"
            message = (
                f"{extra.name} = {shown_extra} conflicts with {var} = {shown_first} ({origin}): "
                f"{why}; {advice}"
            )
        data = {"variable": var}
        if runs is not None and runs.usable and runs.value is not None:
            data["runs"] = to_text(path, runs.value)
        if path.startswith("kubelet.") and runs is not None and runs.value == 0:
            fixable = False  # 0 is "unset" in the kubelet's file: moving it changes the defaulting
        yield ctx.finding(
            ID,
            message,
            extra,
            group.hosts,
            fixable=fixable,
            extra=data,
            # the same value twice runs the same either way: only untidy
            severity="warning" if same else None,
        )


def _flags(ctx: LintContext, group: HostTiming) -> Iterator[Finding]:
    """Timing flags in kubelet_custom_flags: repeated, or overriding the configuration file."""
    if group.custom_flags is None:
        return
    for name, path in kubelet_flag_settings().items():
        found = [f for f in group.custom_flags.flags if f.name == name]
        if not found:
            continue
        flag_src = group.sources[path][-1]
        if flag_src.kind != KUBELET_FLAG:
            continue
        runs = found[-1]
        if len(found) > 1:
            values = ", ".join(cut(f.written) for f in found)
            yield ctx.finding(
                ID,
                f"kubelet_custom_flags repeats --{name} ({values}): the kubelet keeps the last, "
                f"{cut(runs.written)}; keep one",
                flag_src,
                group.hosts,
                setting=path,
                # one value repeated runs the same whichever is kept: only untidy
                severity="warning" if len({f.value for f in found}) == 1 else None,
            )
        in_file = [s for s in group.sources[path] if s.kind in (VARIABLE, EXTRA_ARG)]
        for other in in_file:
            same = other.usable and flag_src.usable and other.value == flag_src.value
            yield ctx.finding(
                ID,
                f"kubelet_custom_flags --{name}={cut(str(runs.value))} overrides {other.name} = "
                f"{_shown(path, other)}: kubelet flags win over the configuration file and nothing "
                f"is derived from them (nodeStatusReportFrequency keeps the file's value); keep one",
                flag_src,
                group.hosts,
                setting=path,
                # the flag and the file agree: what runs is the same, only untidy
                severity="warning" if same else None,
            )


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """Delete the extra-args key; when the values differ, the first-class variable takes the
    value that runs (the check worked it out: kubeadm's order, lenient decoding)."""
    var = str(finding.extra.get("variable", ""))
    ops: list[Op] = []
    for g, s in plan.sources_at(finding):
        if s.kind != EXTRA_ARG:
            continue
        t = plan.target(s, g)
        if t is None:
            continue
        dict_value, dict_name, key = t
        ops.append(plan.op("delete", dict_value, dict_name, key))
        if finding.severity != "error":  # the same value twice: deleting the key is all
            continue
        wanted = finding.extra.get("runs")
        if wanted is None:
            return []
        placed = plan.place_variable(g, var, wanted, dict_value, dict_name, finding.hosts)
        if placed is None:
            return []
        ops.extend(placed)
    return ops
