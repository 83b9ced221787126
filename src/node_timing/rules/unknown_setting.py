"""unknown-setting: a timing-like key that is no known setting, with a suggestion.

A variable kubespray never reads is silently ignored by Ansible and kubespray: the cluster keeps
the default while the inventory claims otherwise. This rule looks at top-level variables named
like node-health timing (starting with `kube` or `node`) that kubespray does not read, whether a
typo of a real variable or an invented one such as `kube_controller_node_startup_grace_period`
(that setting only exists as an extra-args key), and at extra-args keys close to a known key.
The suggestion is kubespray's first-class variable where one exists
(`kube_apiserver_default_not_ready_toleration_seconds` → `kube_apiserver_pod_eviction_not_ready_timeout_seconds`):
the extra-args key would be rendered besides it (duplicate-setting).
Variables kubespray reads for other purposes (`kubelet_shutdown_grace_period`,
`kube_vip_leaseduration`, ...) are left alone (data/kubespray.yml `other_timing_like_variables`).

**Fails**

```yaml
kube_controller_node_monitor_grace_periods: 20s
kube_controller_node_startup_grace_period: 2m0s   # no such variable
kubelet_config_extra_args:
  nodeStatusReportFrequncy: 5m0s
```

**Passes**

```yaml
kube_controller_node_monitor_grace_period: 20s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
```

**Fix.** Use the suggested name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import knowledge, kubespray
from node_timing.evaluate.context import CONTEXT_VARIABLES, TIMING_WORDS
from node_timing.findings import Finding, Severity
from node_timing.rules._common import component_hosts, component_of, dict_entries, variable_position
from node_timing.rules.misplaced_setting import canonical, spellings

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "unknown-setting"
SEVERITY: Severity = "warning"
SUMMARY = "a timing-like key that is no known setting (a typo), with a suggestion"

CUTOFF = 0.85
ALIAS_CUTOFF = 0.75  # invented names differ more from the dict.key they stand for


def known_variables() -> list[str]:
    names = [*kubespray.variables(), *kubespray.extra_args(), *CONTEXT_VARIABLES]
    names += list(knowledge.kubespray()["removed_variables"])
    return names


def aliases() -> dict[str, str]:
    """Variable names one might invent for an extra-args key → that ``dict.key``."""
    prefixes = {
        "controller_manager": ("kube_controller_", "kube_controller_manager_"),
        "apiserver": ("kube_apiserver_",),
        "kubelet": ("kubelet_", "kubelet_node_"),
    }
    out: dict[str, str] = {}
    for dict_name, fact in kubespray.extra_args().items():
        for key, path in fact["keys"].items():
            # kubespray's first-class variable where it has one: the extra-args key would be
            # rendered besides it (duplicate-setting)
            target = kubespray.variable_for(path) or f"{dict_name}.{key}"
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", key).replace("-", "_").lower()
            for prefix in prefixes[fact["component"]]:
                out[prefix + snake] = target
                out[prefix + snake.removeprefix("node_")] = target
    return out


def check(ctx: LintContext) -> Iterator[Finding]:
    variables = known_variables()
    others = set(knowledge.kubespray()["other_timing_like_variables"]["names"])
    invented = aliases()
    keys_by_dict = {name: list(fact["keys"]) for name, fact in kubespray.extra_args().items()}
    index = spellings()
    removed = {canonical(f) for f in knowledge.removed_flags()}
    for group in ctx.groups:
        for name in group.variables:
            if name in variables or name in others or not TIMING_WORDS.search(name):
                continue
            close = difflib.get_close_matches(name, variables, n=1, cutoff=CUTOFF)
            if name in invented:  # a setting kubespray only takes as an extra-args key
                suggestion = invented[name]
            elif close:
                suggestion = close[0]
            else:
                near = difflib.get_close_matches(name, list(invented), n=1, cutoff=ALIAS_CUTOFF)
                suggestion = invented[near[0]] if near else ""
            location, noqa = variable_position(group, name, ctx.default_location)
            hint = (
                f"; did you mean {suggestion}?"
                if suggestion
                else "; `node-timing explain` shows the variables that set each timing value"
            )
            yield ctx.finding(
                ID,
                f"{name} is not a variable kubespray reads: it has no effect{hint}",
                location,
                group.hosts,
                setting=name,
                noqa=noqa,
                extra={"suggestion": suggestion, "suggest": [("rename", name, None, suggestion)]}
                if suggestion
                else None,
            )
        for dict_name, known in keys_by_dict.items():
            readers = component_hosts(ctx, group, component_of(dict_name))
            if not readers:
                continue
            for key, _value, location, noqa in dict_entries(group, dict_name):
                c = canonical(key)
                if key in known or c in index or c in removed or not TIMING_WORDS.search(key):
                    continue
                close = difflib.get_close_matches(key, known, n=1, cutoff=CUTOFF)
                if close:
                    yield ctx.finding(
                        ID,
                        f"{dict_name}.{key} is not a known setting; did you mean {close[0]}?",
                        location,
                        readers,
                        setting=f"{dict_name}.{key}",
                        noqa=noqa,
                        extra={
                            "suggestion": close[0],
                            "suggest": [("rename", dict_name, key, close[0])],
                        },
                    )
