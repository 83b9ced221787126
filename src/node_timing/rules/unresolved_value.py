"""unresolved-value: a timing value that cannot be known before the run.

A value templated from something this inventory does not define (a fact, a lookup, an Ansible
filter), or encrypted with Ansible Vault, cannot be checked. node-timing never decrypts vault data
and never evaluates lookups. The checks that need the value say they were skipped; the others use
the value kubespray would fall back to.

**Reported**

```yaml
kube_controller_node_monitor_grace_period: "{{ lookup('env', 'GRACE') }}"
```

**Not reported**

```yaml
grace: 40s
kube_controller_node_monitor_grace_period: "{{ grace }}"   # resolved from the same host's vars
```

**Fix.** Nothing is wrong by itself; define the value in the inventory to have it checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.display import cut
from node_timing.findings import Finding, Location, Severity
from node_timing.rules._common import component_hosts, component_of

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "unresolved-value"
SEVERITY: Severity = "info"
SUMMARY = "a templated or vault-encrypted value cannot be resolved; checks that need it are skipped"
# The reason quotes the template (already shortened) and Jinja's error, which can quote a name
# or attribute of any length: the message stays a line whatever the template holds.
_REASON = 300


def check(ctx: LintContext) -> Iterator[Finding]:
    problem = ctx.version_problem
    if problem is not None and problem.kind == "unresolved":
        yield ctx.finding(ID, problem.message, problem.location, (), noqa=problem.noqa)
    for problem in ctx.problems:
        if getattr(problem, "kind", None) == "vault":
            yield ctx.finding(
                ID,
                f"{problem.message}; a timing setting in it is not checked",
                Location(
                    str(problem.path),
                    int(getattr(problem, "line", 0) or 0),
                    int(getattr(problem, "column", 0) or 0),
                ),
                (),
            )
    for group in ctx.groups:
        for source in group.unresolved:
            hosts = component_hosts(ctx, group, component_of(source.setting))
            if not hosts:
                continue
            yield ctx.finding(
                ID,
                f"{source.name} is {cut(source.unresolved or '', _REASON)}; checks that need "
                f"{source.setting} are skipped for these hosts",
                source,
                hosts,
            )
