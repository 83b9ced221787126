"""YAML inventories (ansible-core's yaml plugin): groups, children, hosts and vars as ops for the
Builder, every value with its position."""

from __future__ import annotations

from typing import Any

import yaml

from node_timing.inventory.ini import MAX_ENTRIES_PER_FILE, Op, expand_hostpattern, too_many_entries
from node_timing.inventory.model import LoadProblem, NeedsAnsible
from node_timing.inventory.vars_files import vars_value
from node_timing.inventory.yamlpos import YamlDocument, parse_yaml


def parse_yaml_inventory(path: str, text: str, problems: list[LoadProblem]) -> list[Op] | None:
    """Ops of a YAML inventory; None when the file is not one (then INI is tried)."""
    doc, probs = parse_yaml(path, text)
    if doc is None:
        if probs and probs[0].kind == "vault":
            problems.extend(probs)
            return []
        return None
    root = doc.root
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return None
    top = {str(k.value): v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    if "plugin" in top:
        raise NeedsAnsible(path, "an inventory plugin configuration (plugins run code)")
    ops: list[Op] = []
    for k, v in doc.pairs(root):
        _yaml_group(doc, doc.key_of(k), v, ops, problems)
    problems.extend(doc.problems)
    return ops


class YamlInventoryError(Exception):
    """A YAML inventory ansible-core refuses as a whole: the loader reports it at ``node``."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


def _yaml_group(
    doc: YamlDocument, name: Any, node: yaml.Node, ops: list[Op], problems: list[LoadProblem]
) -> str | None:
    m = node.start_mark
    null = isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
    if not (isinstance(node, yaml.MappingNode) or null):
        problems.append(
            LoadProblem(
                doc.path,
                m.line + 1,
                m.column + 1,
                f"skipping {name!r}: not a group",
                "inventory",
                "warning",
            )
        )
        return None
    if not isinstance(name, str) or not name:
        raise YamlInventoryError(node, f"invalid group name {name!r}")
    ops.append(("group", name))
    if null:
        return name
    sections = list(doc.pairs(node))
    for key_node, sub in sections:
        key = doc.key_of(key_node)
        sub_null = isinstance(sub, yaml.ScalarNode) and sub.tag == "tag:yaml.org,2002:null"
        if (
            key in ("vars", "children", "hosts")
            and isinstance(sub, yaml.ScalarNode)
            and not sub_null
        ):
            if sub.tag == "tag:yaml.org,2002:str":
                sub = yaml.MappingNode(
                    "tag:yaml.org,2002:map",
                    [
                        (
                            sub,
                            yaml.ScalarNode(
                                "tag:yaml.org,2002:null", "", sub.end_mark, sub.end_mark
                            ),
                        )
                    ],
                    sub.start_mark,
                    sub.end_mark,
                )
            else:
                raise YamlInventoryError(
                    sub, f"invalid {key!r} entry for group {name!r}: needs a mapping"
                )
        if key in ("vars", "children", "hosts") and isinstance(sub, yaml.SequenceNode):
            raise YamlInventoryError(
                sub, f"invalid {key!r} entry for group {name!r}: needs a mapping"
            )
        if sub_null:
            continue
        if not isinstance(sub, yaml.MappingNode):
            sm = sub.start_mark
            problems.append(
                LoadProblem(
                    doc.path,
                    sm.line + 1,
                    sm.column + 1,
                    f"skipping key {key!r} in group {name!r}: not a mapping",
                    "inventory",
                    "warning",
                )
            )
            continue
        if key == "vars":
            for vk, vv in doc.pairs(sub):
                var, value = vars_value(doc, vk, vv, "inventory", name)
                ops.append(("gvar", name, var, value))
        elif key == "children":
            for ck, cv in doc.pairs(sub):
                child = _yaml_group(doc, doc.key_of(ck), cv, ops, problems)
                if child is not None:
                    ops.append(("child", name, child, (doc.path, ck.start_mark.line + 1)))
        elif key == "hosts":
            for hk, hv in doc.pairs(sub):
                pattern = doc.key_of(hk)
                if not isinstance(pattern, str):
                    raise YamlInventoryError(hk, f"host pattern {pattern!r} must be a string")
                try:
                    names, port = expand_hostpattern(pattern)
                except ValueError as exc:
                    raise YamlInventoryError(
                        hk, f"invalid host pattern {pattern!r}: {exc}"
                    ) from None
                hv_null = isinstance(hv, yaml.ScalarNode) and hv.tag == "tag:yaml.org,2002:null"
                if not hv_null and not isinstance(hv, yaml.MappingNode):
                    raise YamlInventoryError(hv, f"host {pattern!r}: variables must be a mapping")
                host_vars = (
                    []
                    if hv_null
                    else [vars_value(doc, a, b, "inventory", None) for a, b in doc.pairs(hv)]
                )
                hm = hk.start_mark
                if len(ops) + len(names) * (1 + len(host_vars)) > MAX_ENTRIES_PER_FILE:
                    raise YamlInventoryError(hk, too_many_entries())
                for host in names:
                    ops.append(("host", host, name, port, doc.path, hm.line + 1, hm.column + 1))
                    for var, value in host_vars:
                        ops.append(("hvar", host, var, value))
        else:
            km = key_node.start_mark
            problems.append(
                LoadProblem(
                    doc.path,
                    km.line + 1,
                    km.column + 1,
                    f"skipping unexpected key {key!r} in group {name!r}",
                    "inventory",
                    "warning",
                )
            )
    return name


__all__ = ["YamlInventoryError", "parse_yaml_inventory"]
