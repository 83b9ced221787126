"""deployed-drift: a node runs another value than the inventory intends.

`node-timing verify INVENTORY --collected DIR` reads the files collected from each node
(`DIR/<inventory_hostname>/<path on the node>`, the layout of Ansible's `fetch` module): the
kubelet's unit, environment files, configuration file and drop-ins, and the control plane's static
Pods. Every timing setting whose running value differs from the inventory's effective value for
that host is reported at the running value's file and line, naming the host and both values. It
happens when a deployment was not rerun after an inventory change, when a node was edited by
hand, or when a file the inventory does not control (a kubelet.service drop-in,
`/etc/default/kubelet`) overrides it.

**Fails**

```yaml
# group_vars/k8s_cluster/k8s-cluster.yml
kubelet_status_update_frequency: 10s
# collected/node3/etc/kubernetes/kubelet-config.yaml on node3
nodeStatusUpdateFrequency: 20s
```

**Passes**

```yaml
# group_vars/k8s_cluster/k8s-cluster.yml
kubelet_status_update_frequency: 10s
# collected/node3/etc/kubernetes/kubelet-config.yaml on node3
nodeStatusUpdateFrequency: 10s
```

when every collected file holds what the inventory renders.

**Fix.** Redeploy the setting with the playbook that really renders it, which the message names:
kubelet settings with kubespray's `cluster.yml`; kube-controller-manager and kube-apiserver
flags with `upgrade-cluster.yml` (`cluster.yml` never regenerates an existing control plane's
static Pods); the kubelet's HTTP/2 environment only with the role's apply
(`node_timing_apply: true`), which also sets all the others. Or change the inventory to what
runs. `lint` never reports this rule: it needs collected files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from node_timing.findings import Finding, Severity

if TYPE_CHECKING:
    from node_timing.evaluate.context import LintContext

ID = "deployed-drift"
SEVERITY: Severity = "error"
SUMMARY = "a node runs another timing value than the inventory intends (verify --collected)"


def check(ctx: LintContext) -> Iterator[Finding]:
    # Computed by `verify`, which alone has both the inventory and the collected files.
    yield from getattr(ctx, "drift", ())
