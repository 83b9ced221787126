"""unknown-setting: a timing-like key that is no known setting (a typo), with a suggestion.

A misspelt variable is silently ignored by Ansible and kubespray: the cluster keeps the default
while the inventory claims otherwise. This rule looks at variables and extra-args keys whose names
look like node-health timing and are close to, but not, a known name.

**Fails**

```yaml
kube_controller_node_monitor_grace_periods: 20s
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
from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import knowledge, kubespray
from node_timing.findings import Finding, Severity
from node_timing.lint import CONTEXT_VARIABLES, TIMING_WORDS
from node_timing.rules._common import dict_entries, variable_position
from node_timing.rules.misplaced_setting import canonical, spellings

if TYPE_CHECKING:
    from node_timing.lint import LintContext

ID = "unknown-setting"
SEVERITY: Severity = "warning"
SUMMARY = "a timing-like key that is no known setting (a typo), with a suggestion"

CUTOFF = 0.85


def known_variables() -> list[str]:
    names = [*kubespray.variables(), *kubespray.extra_args(), *CONTEXT_VARIABLES]
    names += list(knowledge.kubespray()["removed_variables"])
    return names


def check(ctx: LintContext) -> Iterator[Finding]:
    variables = known_variables()
    keys_by_dict = {name: list(fact["keys"]) for name, fact in kubespray.extra_args().items()}
    index = spellings()
    removed = {canonical(f) for f in knowledge.removed_flags()}
    for group in ctx.groups:
        for name in group.variables:
            if name in variables or not TIMING_WORDS.search(name):
                continue
            close = difflib.get_close_matches(name, variables, n=1, cutoff=CUTOFF)
            if close:
                location, noqa = variable_position(group, name, ctx.default_location)
                yield ctx.finding(
                    ID,
                    f"{name} is not a variable kubespray reads; did you mean {close[0]}?",
                    location,
                    group.hosts,
                    setting=name,
                    noqa=noqa,
                    extra={"suggestion": close[0]},
                )
        for dict_name, known in keys_by_dict.items():
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
                        group.hosts,
                        setting=f"{dict_name}.{key}",
                        noqa=noqa,
                        extra={"suggestion": close[0]},
                    )
