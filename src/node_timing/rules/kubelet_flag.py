"""kubelet-flag: a deprecated kubelet flag in `kubelet_custom_flags` overrides kubespray's file.

kubespray writes `nodeStatusUpdateFrequency` into the kubelet's configuration file from
`kubelet_status_update_frequency`. `kubelet_custom_flags: ['--node-status-update-frequency=4s']`
puts the same setting on the command line, where it wins over the file (the kubelet parses its
flags again over the loaded file: cmd/kubelet/app/server.go kubeletConfigFlagPrecedence). The flag
is deprecated in favour of the file (cmd/kubelet/app/options/options.go: "This parameter should
be set via the config file"), the inventory now says two things, and the report frequency does
not follow the flag: it keeps inheriting the file's update frequency (report-frequency says
so).

**Fails**

```yaml
kubelet_custom_flags:
  - "--node-status-update-frequency=4s"
```

**Passes**

```yaml
kubelet_status_update_frequency: 4s
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
```

**Fix.** Set the value in `kubelet_status_update_frequency` and remove the flag; add
`nodeStatusReportFrequency` to `kubelet_config_extra_args` (report-frequency).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing import knowledge
from node_timing.display import cut
from node_timing.evaluate.resolution import kubelet_flag_settings
from node_timing.findings import Finding, Severity
from node_timing.rules._common import variable_position, where_set

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "kubelet-flag"
SEVERITY: Severity = "warning"
SUMMARY = "a deprecated kubelet flag in kubelet_custom_flags overrides the file kubespray writes"


def check(ctx: LintContext) -> Iterator[Finding]:
    settings = kubelet_flag_settings()
    for group in ctx.kubelet_groups:
        flags = group.custom_flags
        if flags is None or flags.problem is not None:
            continue  # misplaced-setting says why the flags do not arrive
        location, noqa = variable_position(group, "kubelet_custom_flags", ctx.default_location)
        for name, path in settings.items():
            flag = flags.last(name)
            if flag is None:
                continue
            field = knowledge.setting_fact(path)["upstream_name"]
            target = where_set(path)
            value = f": {cut(flag.value)}" if flag.value is not None else ""
            yield ctx.finding(
                ID,
                f"kubelet_custom_flags {cut(flag.written)}: a deprecated kubelet flag that "
                f"overrides the {field} kubespray writes to the kubelet's configuration file "
                f"({target}); the report frequency does not follow it. Set {target}{value} "
                f"instead and remove the flag",
                location,
                group.hosts,
                setting=path,
                noqa=noqa,
                extra={
                    "suggest": [
                        ("remove_item", "kubelet_custom_flags", None, flag.item),
                        ("set", target, None, flag.value),
                    ]
                }
                if flag.value is not None and "." not in target
                else None,
            )
