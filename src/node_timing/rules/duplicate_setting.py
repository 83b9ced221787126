"""duplicate-setting: one setting given twice, as a kubespray variable and as an extra-args key.

kubespray always renders its first-class variables (from its role defaults when the inventory does
not set them) and then the extra-args dicts, so a key such as
`kube_kubeadm_controller_extra_args: {node-monitor-grace-period: ...}` is rendered a second time
(kubespray issue #12021, PR #13082); in the kubelet's configuration it becomes a duplicate YAML
key. Which value wins is not what a reader expects. Error when the two values differ (after
normalising durations), warning when they are equal.

**Fails**

```yaml
kube_controller_node_monitor_grace_period: 40s
kube_kubeadm_controller_extra_args:
  node-monitor-grace-period: 20s
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 20s
```

**Fix.** Keep the first-class variable (with the value you meant) and remove the key from the
extra-args dict. `node-timing fix` keeps the extra-args value, since that is what was written last.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import kubespray
from node_timing.brief import cut
from node_timing.effective import EXTRA_ARG, KUBESPRAY_DEFAULT, VARIABLE
from node_timing.findings import Finding, Severity
from node_timing.settings import to_output, to_text

if TYPE_CHECKING:
    from node_timing.fix.plan import Op, Planner
    from node_timing.lint import LintContext

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
            if not primary or not extras:
                continue
            first = primary[0]
            for extra in extras:
                if first.usable and extra.usable:
                    same = first.value == extra.value
                    shown_first, shown_extra = (
                        to_output(path, first.value),
                        to_output(path, extra.value),
                    )
                else:
                    same = str(first.raw).strip() == str(extra.raw).strip()
                    shown_first, shown_extra = cut(str(first.raw)), cut(str(extra.raw))
                origin = "kubespray's default" if first.kind == KUBESPRAY_DEFAULT else "set"
                hidden = first.unresolved or extra.unresolved
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
                    message = (
                        f"{extra.name} = {shown_extra} conflicts with {var} = {shown_first} ({origin}); kubespray "
                        f"renders both and the result depends on rendering order: set {var}: {shown_extra} "
                        f"and remove {extra.name}"
                    )
                yield ctx.finding(
                    ID,
                    message,
                    extra,
                    group.hosts,
                    fixable=True,
                    extra={"variable": var},
                    # the same value twice renders the same result either way: only untidy
                    severity="warning" if same else None,
                )


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """Delete the extra-args key; when the values differ, the first-class variable takes the
    extra-args value (written last, so the one meant)."""
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
        if not s.usable or s.value is None:
            return []
        wanted = to_text(s.setting, s.value)
        placed = plan.place_variable(g, var, wanted, dict_value, dict_name)
        if placed is None:
            return []
        ops.extend(placed)
    return ops
