"""Inventories only ansible-core can read (scripts, plugin configs, toml): ask ansible-core.

Values come without positions (line 0). Ansible is imported here only, lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from node_timing.inventory.builder import Builder, add_cluster_group, add_legacy_groups
from node_timing.inventory.graph import Inventory
from node_timing.inventory.model import Group, InventoryError, LoadProblem, Value, VaultValue
from node_timing.inventory.yamlpos import is_templated

_MAGIC = frozenset(
    {
        "inventory_hostname",
        "inventory_hostname_short",
        "inventory_file",
        "inventory_dir",
        "group_names",
        "groups",
        "omit",
        "playbook_dir",
        "ansible_playbook_python",
        "ansible_config_file",
        "ansible_version",
        "ansible_check_mode",
        "ansible_diff_mode",
        "ansible_forks",
        "ansible_inventory_sources",
        "ansible_run_tags",
        "ansible_skip_tags",
        "ansible_verbosity",
        "ansible_collection_name",
        "ansible_search_path",
        "environment",
        "hostvars",
    }
)


def _plain(value: Any) -> Any:
    if type(value).__name__ == "AnsibleVaultEncryptedUnicode" or hasattr(value, "vault"):
        return VaultValue(str(getattr(value, "_ciphertext", b"") or ""))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence | set):
        return [_plain(v) for v in value]
    return value


def load_with_ansible(
    path: str, sources: list[str], synthesize_k8s_cluster: bool = True
) -> Inventory:
    """Read ``sources`` (the files node-timing found for ``path``, never kubespray's
    ``credentials/`` or ``artifacts/``) through ansible-core: only with the user's opt-in, since
    scripts and plugins run."""
    try:
        from ansible import constants as C  # type: ignore[import-untyped]
        from ansible.inventory.manager import InventoryManager  # type: ignore[import-untyped]
        from ansible.parsing.dataloader import DataLoader  # type: ignore[import-untyped]
        from ansible.vars.manager import VariableManager  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - ansible-core is a dependency
        raise InventoryError(f"{path}: needs ansible-core to read this inventory ({exc})") from None
    loader = DataLoader()
    try:
        im = InventoryManager(loader=loader, sources=list(sources))
        vm = VariableManager(loader=loader, inventory=im)
    except Exception as exc:  # ansible raises many types for bad inventories
        raise InventoryError(f"{path}: ansible-core cannot read this inventory: {exc}") from None
    internal = _MAGIC | frozenset(getattr(C, "INTERNAL_STATIC_VARS", ()))
    b = Builder()
    b.groups = {}
    for name, g in im.groups.items():
        b.groups[name] = Group(
            name=name,
            hosts=[h.name for h in g.hosts],
            children=[c.name for c in g.child_groups],
            parents=[p.name for p in g.parent_groups],
            priority=int(getattr(g, "priority", 1) or 1),
            depth=int(getattr(g, "depth", 0) or 0),
        )
    fixed: dict[str, dict[str, Value]] = {}
    for name, host in im.hosts.items():
        b.hosts[name] = None
        b.host_groups[name] = [g.name for g in host.groups if name in {h.name for h in g.hosts}]
        try:
            raw = vm.get_vars(host=host, include_hostvars=False, stage="all")
        except Exception as exc:
            b.problems.append(
                LoadProblem(path, 0, 0, f"ansible-core cannot compute variables of {name}: {exc}")
            )
            raw = {}
        values: dict[str, Value] = {}
        for key, val in raw.items():
            if key in internal:
                continue
            plain = _plain(val)
            values[key] = Value(
                value=plain,
                path=path,
                source_kind="inventory",
                vault=isinstance(plain, VaultValue),
                templated=is_templated(plain),
            )
        fixed[name] = values
    if synthesize_k8s_cluster:
        add_legacy_groups(b)
        add_cluster_group(b)
    if not b.hosts:
        raise InventoryError(f"{path}: no hosts in what ansible-core read")
    return Inventory(b, list(sources), list(sources), {}, {}, used_ansible=True, fixed_vars=fixed)
