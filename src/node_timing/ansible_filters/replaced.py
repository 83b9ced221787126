"""What the role's export replaces: each kubespray variable (and extra-args key) whose value the
profile changes, with the value it had and where Ansible read it, so that a play never changes a
host's timing without saying so, value by value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from node_timing import kubespray
from node_timing.ansible_filters.convert import origin_of, to_plain
from node_timing.settings import SettingError, parse_value


def _same(path: str | None, old: Any, new: Any) -> bool:
    if path is not None:
        try:
            return bool(parse_value(path, old) == parse_value(path, new))
        except (SettingError, ValueError, TypeError):
            pass
    return str(old) == str(new)


def _where(origin: list[Any] | None, inventory_dir: str | None) -> str:
    if not origin:
        return "set outside the inventory"
    path = str(origin[0])
    if inventory_dir and os.path.isabs(path):
        rel = os.path.relpath(path, inventory_dir)
        if not rel.startswith(".."):
            path = rel
    return f"{path}:{origin[1]}" if origin[1] else path


def _current(
    host_vars: Mapping[Any, Any], name: str
) -> tuple[bool, Any, list[Any] | None, dict[str, list[Any]]]:
    """Whether ``name`` is defined for the host, its plain value, where it was read and, for a
    dict, where each of its keys was. Only the variable itself is read: reading any other would
    template it."""
    if name not in host_vars:
        return False, None, None, {}
    raw_vars = getattr(host_vars, "_vars", None)
    raw = raw_vars.get(name) if isinstance(raw_vars, Mapping) else None
    item = host_vars[name]
    where = (origin_of(raw) if raw is not None else None) or origin_of(item)
    keys: dict[str, list[Any]] = {}
    for holder in (item, raw):
        if isinstance(holder, Mapping):
            for key in holder:
                found = origin_of(key)
                if found and str(key) not in keys:
                    keys[str(key)] = found
    try:
        return True, to_plain(item, name), where, keys
    except ValueError:
        return True, str(raw if isinstance(raw, str) else item), where, keys


def _host_lines(host_vars: Mapping[Any, Any], wanted: Mapping[str, Any]) -> list[str]:
    inventory_dir = host_vars.get("inventory_dir") if "inventory_dir" in host_vars else None
    base = str(inventory_dir) if isinstance(inventory_dir, str) else None
    lines: list[str] = []
    for var, fact in kubespray.variables().items():
        if var not in wanted:
            continue
        defined, old, origin, _ = _current(host_vars, var)
        if not defined:
            old, where = fact["default"], "kubespray's default"
        else:
            where = _where(origin, base)
        if not _same(fact["setting"], old, wanted[var]):
            lines.append(f"{var}: {old} -> {wanted[var]} ({where})")
    for dict_name, fact in kubespray.extra_args().items():
        want = wanted.get(dict_name) or {}
        defined, old_dict, origin, key_origins = _current(host_vars, dict_name)
        have = old_dict if defined and isinstance(old_dict, Mapping) else {}
        for key in sorted({*have, *want}, key=str):
            path = fact["keys"].get(key)
            where = _where(key_origins.get(str(key), origin), base)
            if key in have and key not in want:
                lines.append(f"{dict_name}.{key}: {have[key]} -> removed ({where})")
            elif key not in have:
                lines.append(f"{dict_name}.{key}: unset -> {want[key]} (new key)")
            elif not _same(path, have[key], want[key]):
                lines.append(f"{dict_name}.{key}: {have[key]} -> {want[key]} ({where})")
    return lines


def replaced_lines(
    hosts: Mapping[Any, Any], wanted_by_host: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """One line per value the export replaces: ``var: old -> new (file:line)``, followed by the
    hosts it concerns when not every host of the play shares it."""
    by_line: dict[str, list[str]] = {}
    for host, host_vars in hosts.items():
        if not isinstance(host_vars, Mapping):
            continue
        for line in _host_lines(host_vars, wanted_by_host[str(host)]):
            by_line.setdefault(line, []).append(str(host))
    every = len(hosts)
    return [
        line if len(on) == every else f"{line} on {', '.join(on)}" for line, on in by_line.items()
    ]
