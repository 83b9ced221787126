"""Inventory loading with Ansible's semantics and the file:line:col of every value.

inv = load_inventory("inventory/mycluster")
inv.hosts, inv.groups, inv.group_hosts("kube_node"), inv.host_vars("node1"), inv.problems
"""

from node_timing.inventory.graph import Inventory
from node_timing.inventory.loader import load_inventory
from node_timing.inventory.model import Group, InventoryError, LoadProblem, Value, VaultValue
from node_timing.inventory.yamlpos import parse_noqa

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
