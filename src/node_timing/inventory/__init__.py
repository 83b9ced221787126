"""Inventory loading with Ansible's semantics and the file:line:col of every value.

inv = load_inventory("inventory/mycluster")
inv.hosts, inv.groups, inv.group_hosts("kube_node"), inv.host_vars("node1"), inv.problems

The names are imported when first used: code that needs only the value types
(``inventory.model``) does not load the readers and PyYAML with them, so ``node-timing profile``,
which lints the variables it produces, starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from node_timing.inventory.graph import Inventory
    from node_timing.inventory.loader import load_inventory
    from node_timing.inventory.model import Group, InventoryError, LoadProblem, Value, VaultValue
    from node_timing.inventory.yamlpos import parse_noqa

_WHERE = {
    "Group": "model",
    "Inventory": "graph",
    "InventoryError": "model",
    "LoadProblem": "model",
    "Value": "model",
    "VaultValue": "model",
    "load_inventory": "loader",
    "parse_noqa": "yamlpos",
}

__all__ = [
    "Group",
    "Inventory",
    "InventoryError",
    "LoadProblem",
    "Value",
    "VaultValue",
    "load_inventory",
    "parse_noqa",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
