"""toleration-disabled: the DefaultTolerationSeconds admission plugin is turned off.

The default tolerations (`kube_apiserver_pod_eviction_not_ready_timeout_seconds`,
`kube_apiserver_pod_eviction_unreachable_timeout_seconds`) reach pods only through the
kube-apiserver admission plugin `DefaultTolerationSeconds`
(plugin/pkg/admission/defaulttolerationseconds). With it in
`kube_apiserver_disable_admission_plugins` (kubespray joins the list into
`--disable-admission-plugins`), or in that flag of `kube_kubeadm_apiserver_extra_args`, both
settings do nothing: a pod without tolerations of its own is evicted the moment the NoExecute taint
lands on its node, as with a toleration of 0. Tolerations are stamped when a pod is admitted, so
turning the plugin back on changes new pods only.

**Fails**

```yaml
kube_apiserver_disable_admission_plugins:
  - DefaultTolerationSeconds
```

**Passes**

```yaml
kube_apiserver_disable_admission_plugins:
  - AlwaysPullImages
```

**Fix.** Remove `DefaultTolerationSeconds` from the disabled plugins, or give every workload its
own tolerations for `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from node_timing import knowledge
from node_timing.evaluate.sources import plain
from node_timing.findings import Finding, Severity
from node_timing.rules._common import component_hosts, dict_entries, variable_position

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "toleration-disabled"
SEVERITY: Severity = "warning"
SUMMARY = (
    "the DefaultTolerationSeconds admission plugin is disabled: the toleration settings do nothing"
)


def check(ctx: LintContext) -> Iterator[Finding]:
    fact = knowledge.kubespray()["disable_admission_plugins"]
    plugin = str(knowledge.constraint("default_toleration_plugin"))
    var, flag = fact["variable"], fact["extra_arg"]
    for group in ctx.groups:
        hosts = component_hosts(ctx, group, "apiserver")
        if not hosts:
            continue
        found = []
        if var in group.variables and plugin in _names(plain(group.variables[var])):
            location, noqa = variable_position(group, var, ctx.default_location)
            found.append((var, location, noqa))
        for key, value, location, noqa in dict_entries(group, "kube_kubeadm_apiserver_extra_args"):
            if key.lstrip("-") == flag and plugin in _names(value):
                found.append((f"kube_kubeadm_apiserver_extra_args.{key}", location, noqa))
        for name, location, noqa in found:
            yield ctx.finding(
                ID,
                f"{name} disables the {plugin} admission plugin: pods get no default "
                f"tolerations, so kube_apiserver_pod_eviction_not_ready_timeout_seconds and "
                f"kube_apiserver_pod_eviction_unreachable_timeout_seconds do nothing and a pod "
                f"without its own tolerations is evicted the moment the taint lands (as with 0)",
                location,
                hosts,
                setting=name,
                noqa=noqa,
            )


def _names(value: Any) -> list[str]:
    """Plugin names of a list or of a comma-separated flag value."""
    if isinstance(value, str):
        return [p.strip() for p in value.split(",")]
    if isinstance(value, list):
        return [str(plain(p)).strip() for p in value]
    return []
