"""removed-setting: a flag or variable that Kubernetes or kubespray no longer accepts.

`--enable-taint-manager` was deprecated in Kubernetes 1.25 (PR #111411) and `--pod-eviction-timeout`
in 1.26 (PR #113710); both were removed in 1.27 (PR #115840): from 1.27 kube-controller-manager
refuses to start with them. Until then they acted: with the taint manager on (the default since
taint-based eviction, 1.13; GA 1.18) `--pod-eviction-timeout` was ignored, but with
`--enable-taint-manager=false` the controller evicted pods itself after `--pod-eviction-timeout`
(processNoTaintBaseEviction). kubespray dropped
`kube_controller_pod_eviction_timeout` in v2.15 (PR #7114) and ignores it. Pods now wait for
`tolerationSeconds`, which the apiserver's `--default-not-ready-toleration-seconds` and
`--default-unreachable-toleration-seconds` set.

Severity: error for the flags from Kubernetes 1.27, warning before; warning for the kubespray
variable at every version. Before 1.27 (1.25 and 1.26), with `enable-taint-manager: false`, the
flags still act: the controller deletes a dead node's pods after `--pod-eviction-timeout`
(default 5m). Removing them turns taint-based eviction on, and pods then go after their
`tolerationSeconds` instead (300s unless the toleration variables say otherwise), so the finding
says both times and `fix` leaves both flags alone: set the tolerations to the time you want first.

**Fails**

```yaml
kube_kubeadm_controller_extra_args:
  pod-eviction-timeout: 30s
```

**Passes**

```yaml
kube_apiserver_pod_eviction_not_ready_timeout_seconds: "30"
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"
```

**Fix.** Remove it; set the toleration variables to the number of seconds instead
(`node-timing fix` does both).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from node_timing import durations, knowledge
from node_timing.evaluate.sources import plain
from node_timing.findings import Finding, Severity
from node_timing.rules._common import component_hosts, dict_entries, variable_position

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext
    from node_timing.evaluate.host_timing import HostTiming
    from node_timing.fix.plan import Op, Planner

ID = "removed-setting"
SEVERITY: Severity = "error"
SUMMARY = (
    "pod-eviction-timeout / enable-taint-manager flags or kube_controller_pod_eviction_timeout"
)
TOLERATIONS = (
    "kube_apiserver_pod_eviction_not_ready_timeout_seconds",
    "kube_apiserver_pod_eviction_unreachable_timeout_seconds",
)


def check(ctx: LintContext) -> Iterator[Finding]:
    removed_vars = knowledge.kubespray()["removed_variables"]
    for group in ctx.groups:
        plane = component_hosts(ctx, group, "controller_manager")
        if not plane:
            continue  # only the control plane runs kube-controller-manager
        for name, fact in removed_vars.items():
            if name in group.variables:
                location, noqa = variable_position(group, name, ctx.default_location)
                replacement = " and ".join(fact["replacement"])
                yield ctx.finding(
                    ID,
                    f"{name} has no effect: kubespray ignores it since {fact['removed_in']}; pods wait "
                    f"for their tolerationSeconds: set {replacement} instead",
                    location,
                    plane,
                    setting=name,
                    noqa=noqa,
                    fixable=True,
                    # kubespray ignores the variable: nothing breaks, the value is only lost
                    severity="warning",
                )
        for key, _value, location, noqa in dict_entries(
            group, "kube_kubeadm_controller_extra_args"
        ):
            flag = key.lstrip("-")
            fact = knowledge.removed_flags().get(flag)
            if fact is None:
                continue
            taint_off = _taint_manager_off(group)
            fixable = True
            # an error only where kube-controller-manager refuses to start with the flag; before
            # that version it starts, whatever the flag does there
            severity: Severity | None = None
            if knowledge.flag_removed(flag, ctx.version):
                what = (
                    f"--{flag} was removed in Kubernetes {fact['removed']}: kube-controller-manager "
                    f"{ctx.version.minor_text} will not start with it"
                )
            elif flag == "pod-eviction-timeout" and taint_off:
                severity = "warning"
                fixable = False  # it runs: removing it would change when pods are evicted
                what = (
                    f"--{flag} applies on Kubernetes {ctx.version.minor_text} because "
                    f"--enable-taint-manager=false: the controller evicts pods itself after it; both "
                    f"flags are deprecated and removed in {fact['removed']}"
                )
            elif flag == "pod-eviction-timeout":
                severity = "warning"
                what = (
                    f"--{flag} has no effect while the taint manager is on (the default): pods wait "
                    f"for their tolerationSeconds; deprecated in {fact['deprecated']}, removed in "
                    f"{fact['removed']}"
                )
            else:
                severity = "warning"
                fixable = not taint_off  # false runs: removing it turns taint-based eviction on
                what = (
                    f"--{flag} is deprecated since Kubernetes {fact['deprecated']} and removed in "
                    f"{fact['removed']}"
                    + ("; false turns taint-based eviction off" if taint_off else "")
                )
            if taint_off and not knowledge.flag_removed(flag, ctx.version):
                # removing either flag turns taint-based eviction on: when pods go then changes
                advice = (
                    f"; removing it changes when pods go: with the taint manager on they are "
                    f"evicted after their tolerationSeconds "
                    f"({_tolerations(group)}) instead of --pod-eviction-timeout "
                    f"({_eviction_timeout(group)}). Set the toleration variables to the time you "
                    f"want, then remove both flags together"
                )
            elif fact["replacement"]:
                advice = (
                    "; set kube_apiserver_pod_eviction_not_ready_timeout_seconds and "
                    "kube_apiserver_pod_eviction_unreachable_timeout_seconds instead"
                )
            else:
                advice = "; remove it"
            yield ctx.finding(
                ID,
                what + advice,
                location,
                plane,
                setting=f"kube_kubeadm_controller_extra_args.{key}",
                noqa=noqa,
                fixable=fixable,
                severity=severity,
            )


def _tolerations(group: HostTiming) -> str:
    """The default tolerations pods get, as the apiserver is configured."""
    values = []
    for path in (
        "apiserver.default_not_ready_toleration_seconds",
        "apiserver.default_unreachable_toleration_seconds",
    ):
        source = group.source(path)
        shown = f"{str(source.raw).strip()}s" if source.usable else "unknown"
        values.append(f"{source.name} {shown}")
    return ", ".join(values)


def _eviction_timeout(group: HostTiming) -> str:
    for key, value, _location, _noqa in dict_entries(group, "kube_kubeadm_controller_extra_args"):
        if key.lstrip("-").replace("_", "-") == "pod-eviction-timeout":
            return f"now {value}"
    return (
        f"now its default, {knowledge.removed_flags()['pod-eviction-timeout']['default']['value']}"
    )


def _taint_manager_off(group: HostTiming) -> bool:
    """Whether the controller's extra args turn the taint manager off (``enable-taint-manager``
    false, as Go's strconv.ParseBool reads it)."""
    for key, value, _location, _noqa in dict_entries(group, "kube_kubeadm_controller_extra_args"):
        if key.lstrip("-").replace("_", "-") == "enable-taint-manager":
            return str(value).strip() in ("false", "False", "FALSE", "f", "F", "0")
    return False


def repair(plan: Planner, finding: Finding) -> list[Op]:
    """Delete the flag or variable; when it has a replacement and held a whole number of seconds,
    set the toleration variables no host's files set yet to that number."""
    name = finding.setting or ""
    var, _, key = name.partition(".")
    ops: list[Op] = []
    groups = plan.groups_of(finding)
    for g in groups:
        v = g.variables.get(var)
        if v is None:
            continue
        raw = plain(v).get(key) if key and isinstance(plain(v), Mapping) else plain(v)
        ops.append(plan.op("delete", v, var, key or None))
        if key and not knowledge.removed_flags().get(key.lstrip("-"), {}).get("replacement"):
            continue
        seconds = _whole_seconds(raw)
        if seconds is None:
            continue
        for tol in TOLERATIONS:
            if any(tol in x.variables for x in groups):
                continue
            ops.append(plan.op("add_var", v, var, tol, value=str(seconds)))
    return ops


def _whole_seconds(raw: Any) -> int | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        ns = durations.parse(str(raw).strip())
    except durations.DurationError:
        return None
    if ns < 0 or ns % durations.SECOND:
        return None
    return ns // durations.SECOND
