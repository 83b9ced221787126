"""# yaml-load

A file of the inventory cannot be read or parsed, or a mapping in it repeats a key.

## Why

Ansible refuses an inventory file it cannot parse, and for a repeated key it warns and keeps
the last value, so the setting in effect is not the one a reader sees first. Every other rule
needs the values, so nothing else in a broken file is checked.

## Failing example

```yaml
# group_vars/k8s_cluster/k8s-cluster.yml
kube_controller_node_monitor_grace_period: 40s
kube_controller_node_monitor_grace_period: 20s
```

## Passing example

```yaml
kube_controller_node_monitor_grace_period: 40s
```

## How to fix

Correct the YAML at the reported line, and keep one of the repeated keys.
"""

from __future__ import annotations

ID = "yaml-load"
SEVERITY = "error"
SUMMARY = "A file cannot be read or parsed, or a mapping repeats a key"
