"""Load an Ansible inventory (file or directory) with its group_vars/host_vars, as Ansible does.

Precedence, low to high (ansible-core's VariableManager with the default VARIABLE_PRECEDENCE):
inventory ``all`` vars < inventory group vars (groups sorted by depth, priority, name) <
``group_vars/all`` < ``group_vars/<group>`` (same order) < inventory host vars <
``host_vars/<host>``. Each layer replaces whole top-level keys; dicts are not merged.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import yaml

from node_timing.inventory.ini import Op, ParseError, expand_hostpattern, parse_ini
from node_timing.inventory.model import (
    Group,
    InventoryError,
    LoadProblem,
    SourceKind,
    Value,
)
from node_timing.inventory.yamlpos import YamlDocument, is_templated, parse_yaml

_REJECT_EXTS = (".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst")
# ansible-core defaults: IGNORED_ALWAYS, REJECT_EXTS + INVENTORY_IGNORE_EXTS, no patterns.
_IGNORED = re.compile(
    r"^\.|^host_vars$|^group_vars$|^vars_plugins$|"
    + "|".join(re.escape(e) + "$" for e in (*_REJECT_EXTS, ".orig", ".ini", ".cfg", ".retry"))
)
YAML_EXTS = (".yml", ".yaml", ".json")
VARS_EXTS = ("", *YAML_EXTS)
K8S_CLUSTER = "k8s_cluster"
K8S_CLUSTER_PARTS = ("kube_control_plane", "kube_node", "calico_rr")


class NeedsAnsible(Exception):
    """The source is a format only ansible-core can read (script, plugin config, toml)."""


class _Builder:
    """Ansible's InventoryData, reduced to what the linter needs, plus positions."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {"all": Group("all"), "ungrouped": Group("ungrouped")}
        self.add_child("all", "ungrouped")
        self.hosts: dict[str, None] = {}
        self.host_groups: dict[str, list[str]] = {}
        self.group_vars: dict[str, dict[str, Value]] = {}
        self.host_vars: dict[str, dict[str, Value]] = {}
        self.problems: list[LoadProblem] = []

    def add_group(self, name: str) -> None:
        if name not in self.groups:
            self.groups[name] = Group(name)

    def add_host(self, name: str, group: str | None, port: int | None, where: Value) -> None:
        if name not in self.hosts:
            self.hosts[name] = None
            self.host_groups[name] = []
            if port is not None:
                self.set_host_var(name, "ansible_port", replace(where, value=port))
        if group and group in self.groups:
            g = self.groups[group]
            if group not in self.host_groups[name]:
                g.hosts.append(name)
                self.host_groups[name].append(group)

    def add_child(self, parent: str, child: str, where: tuple[str, int] = ("", 0)) -> None:
        p = self.groups[parent]
        if child not in self.groups:
            if child in self.hosts:
                self.add_host(child, parent, None, Value(None, where[0]))
                return
            self.problems.append(
                LoadProblem(where[0], where[1], 0, f"{child} is not a known host nor group")
            )
            return
        if child in p.children:
            return
        if child == parent or parent in self.descendants(child):
            self.problems.append(
                LoadProblem(
                    where[0],
                    where[1],
                    0,
                    f"adding group {child!r} as child to {parent!r} creates a dependency loop",
                    kind="inventory",
                )
            )
            return
        p.children.append(child)
        c = self.groups[child]
        if parent not in c.parents:
            c.parents.append(parent)

    def descendants(self, name: str) -> list[str]:
        """The group and its descendants, in Ansible's breadth-first order."""
        order, seen = [name], {name}
        frontier = [name]
        while frontier:
            nxt: list[str] = []
            for g in frontier:
                for c in self.groups[g].children:
                    if c not in seen:
                        seen.add(c)
                        order.append(c)
                        nxt.append(c)
            frontier = nxt
        return order

    def set_group_var(self, group: str, key: str, value: Value) -> None:
        if key == "ansible_group_priority":
            try:
                self.groups[group].priority = int(value.value)
            except (TypeError, ValueError):
                self.problems.append(
                    LoadProblem(
                        value.path,
                        value.line,
                        value.column,
                        f"ansible_group_priority must be an integer, got {value.value!r}",
                        kind="inventory",
                    )
                )
            return
        self.group_vars.setdefault(group, {})[key] = value

    def set_host_var(self, host: str, key: str, value: Value) -> None:
        self.host_vars.setdefault(host, {})[key] = value

    def apply(self, ops: Iterable[Op]) -> None:
        for op in ops:
            kind = op[0]
            if kind == "group":
                self.add_group(op[1])
            elif kind == "host":
                _, name, group, port, path, line, col = op
                self.add_host(name, group, port, Value(None, path, line, col))
            elif kind == "hvar":
                self.set_host_var(op[1], op[2], op[3])
            elif kind == "gvar":
                self.set_group_var(op[1], op[2], op[3])
            elif kind == "child":
                self.add_child(op[1], op[2], op[3] if len(op) > 3 else ("", 0))

    def reconcile(self) -> None:
        """Parentless groups go under ``all``; hosts without a group into ``ungrouped``."""
        for name in list(self.groups):
            if name != "all" and not self.groups[name].parents:
                self.add_child("all", name)
        ungrouped = self.groups["ungrouped"]
        for host, direct in self.host_groups.items():
            others = [g for g in direct if g not in ("all", "ungrouped")]
            if "ungrouped" in direct and others:
                direct.remove("ungrouped")
                ungrouped.hosts.remove(host)
            elif not direct or direct == ["all"]:
                direct.append("ungrouped")
                ungrouped.hosts.append(host)
        self._depths()

    def _depths(self) -> None:
        """Depth = longest path from ``all`` (what Group.add_child_group maintains)."""
        order: list[str] = []
        indeg = {n: len(g.parents) for n, g in self.groups.items()}
        ready = [n for n, d in indeg.items() if d == 0]
        while ready:
            n = ready.pop()
            order.append(n)
            for c in self.groups[n].children:
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        for n in order:
            g = self.groups[n]
            for c in g.children:
                child = self.groups[c]
                child.depth = max(child.depth, g.depth + 1)


# --------------------------------------------------------------------------------- reading files


# Larger files are skipped with a yaml-load finding (docs/limits.md): kubespray's own group_vars
# are a few KiB, and PyYAML needs about 20 times a file's size in memory to compose it.
MAX_FILE_SIZE = 16 * 1024 * 1024


def _read(
    path: str,
    problems: list[LoadProblem],
    files: list[str],
    overlay: Mapping[str, bytes] | None = None,
) -> bytes | None:
    """The bytes of a regular file of at most MAX_FILE_SIZE, else a problem and None.

    FIFOs, sockets and devices are refused before opening: reading a FIFO blocks forever and
    /dev/zero never ends. A file in ``overlay`` (real path: bytes) is read from there instead:
    ``fix`` re-lints its edits in memory, before anything is written.
    """
    if overlay:
        held = overlay.get(os.path.realpath(path))
        if held is not None:
            files.append(path)
            return held
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            problems.append(LoadProblem(path, 0, 0, f"cannot read: {what}"))
            return None
        if st.st_size > MAX_FILE_SIZE:
            problems.append(LoadProblem(path, 0, 0, _too_large(st.st_size)))
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        problems.append(LoadProblem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    if len(data) > MAX_FILE_SIZE:  # grew since stat
        problems.append(LoadProblem(path, 0, 0, _too_large(len(data))))
        return None
    files.append(path)
    return data


def _too_large(size: int) -> str:
    return f"not checked: file larger than {MAX_FILE_SIZE // (1024 * 1024)} MiB ({size:,} bytes)"


def _decode(path: str, data: bytes, problems: list[LoadProblem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(LoadProblem(path, line, col, "file is not valid UTF-8"))
        return None


def _vars_value(
    doc: YamlDocument,
    key_node: yaml.Node,
    value_node: yaml.Node,
    kind: SourceKind,
    group: str | None,
) -> tuple[str, Value]:
    e = doc.entry(key_node, value_node)
    return e.key, Value(
        value=e.value,
        path=doc.path,
        line=e.line,
        column=e.column,
        source_kind=kind,
        group=group,
        key_positions=e.key_positions,
        noqa=e.noqa,
        key_noqa=e.key_noqa,
        vault=e.vault,
        templated=is_templated(e.value),
    )


def load_vars_file(
    path: str,
    kind: SourceKind,
    group: str | None,
    problems: list[LoadProblem],
    files: list[str],
    overlay: Mapping[str, bytes] | None = None,
) -> dict[str, Value]:
    """Top-level variables of one group_vars/host_vars file, with positions."""
    data = _read(path, problems, files, overlay)
    if data is None:
        return {}
    text = _decode(path, data, problems)
    if text is None:
        return {}
    doc, probs = parse_yaml(path, text)
    problems.extend(probs)
    if doc is None or doc.root is None:
        return {}
    root = doc.root
    if isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null":
        return {}
    if not isinstance(root, yaml.MappingNode):
        m = root.start_mark
        problems.append(
            LoadProblem(path, m.line + 1, m.column + 1, "vars file must be a mapping of variables")
        )
        return {}
    out: dict[str, Value] = {}
    for k, v in doc.pairs(root):
        try:
            key, value = _vars_value(doc, k, v, kind, group)
        except yaml.YAMLError as exc:
            m = v.start_mark
            problems.append(LoadProblem(path, m.line + 1, m.column + 1, f"invalid YAML: {exc}"))
            continue
        out[key] = value
    problems.extend(doc.problems)
    return out


class _VarsDir:
    """A ``group_vars``/``host_vars`` directory, listed once (Ansible's find_vars_files)."""

    def __init__(self, path: str, overlay: Mapping[str, bytes] | None = None) -> None:
        self.path = path
        self.overlay = overlay
        self.entries: dict[str, bool] = {}  # name -> is_dir
        try:
            with os.scandir(path) as it:
                for e in it:
                    try:
                        self.entries[e.name] = e.is_dir()
                    except OSError:
                        self.entries[e.name] = False
        except OSError:
            self.entries = {}
        for name, is_dir in _overlay_entries(path, overlay).items():
            self.entries.setdefault(name, is_dir)

    def find(self, name: str, problems: list[LoadProblem]) -> list[str]:
        for ext in VARS_EXTS:
            candidate = name + ext
            if candidate in self.entries:
                full = os.path.join(self.path, candidate)
                if self.entries[candidate]:
                    found = _dir_files(full, problems, set()) if os.path.isdir(full) else []
                    return _with_overlay(full, found, self.overlay)
                return [full]
        return []


def _with_overlay(
    directory: str, found: list[str], overlay: Mapping[str, bytes] | None
) -> list[str]:
    """``found`` (the files of a vars directory) plus the new files ``overlay`` holds under it
    that ``_dir_files`` would list, in its order: sorted names, subdirectories in place."""
    if not overlay:
        return found
    prefix = os.path.join(os.path.realpath(directory), "")
    extra: list[str] = []
    for key in overlay:
        if not key.startswith(prefix) or os.path.lexists(key):
            continue
        parts = key[len(prefix) :].split(os.sep)
        hidden = any(part.startswith(".") or part.endswith("~") for part in parts)
        dirs_ok = all(not os.path.splitext(part)[1] for part in parts[:-1])
        if not hidden and dirs_ok and os.path.splitext(parts[-1])[1] in ("", *YAML_EXTS):
            extra.append(os.path.join(directory, *parts))
    if not extra:
        return found
    return sorted([*found, *extra], key=lambda p: os.path.relpath(p, directory).split(os.sep))


def _overlay_entries(path: str, overlay: Mapping[str, bytes] | None) -> dict[str, bool]:
    """Names directly in directory ``path`` that ``overlay`` holds (files ``fix`` creates, and
    directories it creates for them): name -> is_dir."""
    if not overlay:
        return {}
    prefix = os.path.join(os.path.realpath(path), "")
    found: dict[str, bool] = {}
    for key in overlay:
        if key.startswith(prefix):
            name, sep, _ = key[len(prefix) :].partition(os.sep)
            found[name] = found.get(name, False) or bool(sep)
    return found


def _list_dir(
    path: str, problems: list[LoadProblem], seen: set[str], kind: str
) -> tuple[list[str], set[str]] | None:
    """Sorted names in ``path`` and the directories seen on the way, or None (a problem is
    recorded) for a symlink loop or an unreadable directory."""
    real = os.path.realpath(path)
    if real in seen:
        problems.append(LoadProblem(path, 0, 0, "symlink loop: directory skipped", kind=kind))
        return None
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        problems.append(LoadProblem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    return names, seen | {real}


def _dir_files(path: str, problems: list[LoadProblem], seen: set[str]) -> list[str]:
    listed = _list_dir(path, problems, seen, "yaml-load")
    if listed is None:
        return []
    names, seen = listed
    found: list[str] = []
    for name in names:
        if name.startswith(".") or name.endswith("~"):
            continue
        full = os.path.join(path, name)
        ext = os.path.splitext(name)[1]
        if os.path.isdir(full):
            if not ext:
                found.extend(_dir_files(full, problems, seen))
        elif os.path.isfile(full) and (not ext or ext in YAML_EXTS):
            found.append(full)
    return found


# ------------------------------------------------------------------------------ inventory sources


def _source_files(path: str, problems: list[LoadProblem], seen: set[str]) -> list[str]:
    """Files Ansible parses for ``-i path``: a directory is walked, sorted, minus ignored names."""
    if not os.path.isdir(path):
        return [path]
    listed = _list_dir(path, problems, seen, "inventory")
    if listed is None:
        return []
    names, seen = listed
    out: list[str] = []
    for name in names:
        if _IGNORED.search(name):
            continue
        out.extend(_source_files(os.path.join(path, name), problems, seen))
    return out


def _needs_ansible(path: str, head: bytes) -> bool:
    if path.endswith(".toml"):
        return True
    if head.startswith(b"#!"):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)) and os.access(path, os.X_OK)


def _yaml_inventory(path: str, text: str, problems: list[LoadProblem]) -> list[Op] | None:
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
        raise NeedsAnsible(path)
    ops: list[Op] = []
    for k, v in doc.pairs(root):
        _yaml_group(doc, doc.key_of(k), v, ops, problems)
    problems.extend(doc.problems)
    return ops


class _YamlInventoryError(Exception):
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
        raise _YamlInventoryError(node, f"invalid group name {name!r}")
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
                raise _YamlInventoryError(
                    sub, f"invalid {key!r} entry for group {name!r}: needs a mapping"
                )
        if key in ("vars", "children", "hosts") and isinstance(sub, yaml.SequenceNode):
            raise _YamlInventoryError(
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
                var, value = _vars_value(doc, vk, vv, "inventory", name)
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
                    raise _YamlInventoryError(hk, f"host pattern {pattern!r} must be a string")
                try:
                    names, port = expand_hostpattern(pattern)
                except ValueError as exc:
                    raise _YamlInventoryError(
                        hk, f"invalid host pattern {pattern!r}: {exc}"
                    ) from None
                hv_null = isinstance(hv, yaml.ScalarNode) and hv.tag == "tag:yaml.org,2002:null"
                if not hv_null and not isinstance(hv, yaml.MappingNode):
                    raise _YamlInventoryError(hv, f"host {pattern!r}: variables must be a mapping")
                host_vars = (
                    []
                    if hv_null
                    else [_vars_value(doc, a, b, "inventory", None) for a, b in doc.pairs(hv)]
                )
                hm = hk.start_mark
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


def _parse_source(
    path: str,
    b: _Builder,
    problems: list[LoadProblem],
    files: list[str],
    overlay: Mapping[str, bytes] | None = None,
) -> bool:
    """Parse one inventory file into the builder; False when it is not usable."""
    if os.path.isdir(path):
        return False
    data = _read(path, problems, files, overlay)
    if data is None:
        return False
    if _needs_ansible(path, data[:2]):
        raise NeedsAnsible(path)
    ext = os.path.splitext(path)[1]
    if not ext or ext in YAML_EXTS:
        text = _decode(path, data, problems)
        if text is None:
            return False
        local: list[LoadProblem] = []
        try:
            ops = _yaml_inventory(path, text, local)
        except _YamlInventoryError as exc:
            m = exc.node.start_mark
            problems.append(LoadProblem(path, m.line + 1, m.column + 1, str(exc)))
            return False
        if ops is not None:
            problems.extend(local)
            b.apply(ops)
            return True
        if ext:
            # A .yml/.yaml/.json file that is no YAML inventory: report the YAML problem.
            doc, probs = parse_yaml(path, text)
            if probs:
                problems.extend(probs)
            elif doc is not None and doc.root is not None:
                m = doc.root.start_mark
                problems.append(
                    LoadProblem(
                        path, m.line + 1, m.column + 1, "YAML inventory must be a mapping of groups"
                    )
                )
            return False
    try:
        ops = parse_ini(path, data, set(b.groups))
    except ParseError as exc:
        problems.append(LoadProblem(path, exc.line, 0, f"invalid INI inventory: {exc}"))
        return False
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(
            LoadProblem(
                path,
                1,
                1,
                "byte order mark: ansible-core's INI parser rejects this file",
                "yaml-load",
                "warning",
            )
        )
    b.apply(ops)
    return True


class Inventory:
    """Hosts, groups and effective variables of an inventory, each value with its origin."""

    def __init__(
        self,
        builder: _Builder,
        sources: list[str],
        files: list[str],
        group_files: dict[str, dict[str, Value]],
        host_files: dict[str, dict[str, Value]],
        used_ansible: bool = False,
        fixed_vars: dict[str, dict[str, Value]] | None = None,
    ) -> None:
        self._b = builder
        self.hosts: list[str] = list(builder.hosts)
        self.groups: dict[str, Group] = builder.groups
        self.problems: list[LoadProblem] = builder.problems
        self.sources = sources
        self.files = files
        self.used_ansible = used_ansible
        self._group_files = group_files
        self._host_files = host_files
        self._fixed = fixed_vars
        self._ancestors: dict[str, frozenset[str]] = {}
        self._layer_cache: dict[tuple[str, ...], dict[str, Value]] = {}
        self._host_cache: dict[str, dict[str, Value]] = {}
        self._groups_cache: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return f"<Inventory {len(self.hosts)} hosts, {len(self.groups)} groups>"

    def _ancestors_of(self, group: str) -> frozenset[str]:
        got = self._ancestors.get(group)
        if got is None:
            # iterative: a chain of thousands of nested groups must not hit the recursion limit
            acc: set[str] = set()
            todo = list(self.groups[group].parents)
            while todo:
                p = todo.pop()
                if p not in acc:
                    acc.add(p)
                    todo.extend(self.groups[p].parents)
            got = self._ancestors[group] = frozenset(acc)
        return got

    def host_groups(self, host: str) -> list[str]:
        """Every group of the host (direct and inherited) except ``all``, in precedence order."""
        return list(self._groups_of(host))

    def _groups_of(self, host: str) -> tuple[str, ...]:
        # Hosts with the same direct groups share the answer (thousands of workers, one layout).
        direct = tuple(self._b.host_groups.get(host, ()))
        got = self._groups_cache.get(direct)
        if got is None:
            names: set[str] = set()
            for g in direct:
                names.add(g)
                names |= self._ancestors_of(g)
            names.discard("all")
            got = tuple(
                sorted(names, key=lambda n: (self.groups[n].depth, self.groups[n].priority, n))
            )
            self._groups_cache[direct] = got
        return got

    def group_hosts(self, name: str) -> list[str]:
        """All hosts of a group including its descendants (Ansible's Group.get_hosts)."""
        if name not in self.groups:
            return []
        seen: dict[str, None] = {}
        for g in self._b.descendants(name):
            for h in self.groups[g].hosts:
                seen.setdefault(h, None)
        return list(seen)

    def _group_layers(self, groups: tuple[str, ...]) -> dict[str, Value]:
        got = self._layer_cache.get(groups)
        if got is None:
            gv = self._b.group_vars
            got = dict(gv.get("all", {}))
            for g in groups:
                got.update(gv.get(g, {}))
            got.update(self._group_files.get("all", {}))
            for g in groups:
                got.update(self._group_files.get(g, {}))
            self._layer_cache[groups] = got
        return got

    def host_vars_parts(
        self, host: str
    ) -> tuple[tuple[str, ...], dict[str, Value], dict[str, Value]]:
        """``(layout, shared, own)``: ``host_vars(host)`` is ``shared`` updated with ``own``.

        ``shared`` holds the group-level variables and is the same dict for every host with the
        same ``layout`` (its groups), so callers can do per-layout work once; ``own`` is what the
        host sets itself (inline and host_vars files). Both must not be modified.
        """
        if self._fixed is not None:
            return ("host", host), self._fixed.get(host, {}), {}
        if host not in self._b.hosts:
            raise KeyError(host)
        layout = self._groups_of(host)
        own = self._b.host_vars.get(host)
        files = self._host_files.get(host)
        if own and files:
            own = {**own, **files}
        return layout, self._group_layers(layout), own or files or {}

    def host_vars(self, host: str) -> dict[str, Value]:
        """Effective variables of a host with Ansible's precedence (a fresh dict each call)."""
        if self._fixed is not None:
            return dict(self._fixed.get(host, {}))
        got = self._host_cache.get(host)
        if got is None:
            if host not in self._b.hosts:
                raise KeyError(host)
            got = dict(self._group_layers(self._groups_of(host)))
            got.update(self._b.host_vars.get(host, {}))
            got.update(self._host_files.get(host, {}))
            self._host_cache[host] = got
        return dict(got)

    def plain_host_vars(self, host: str) -> dict[str, Any]:
        return {k: v.value for k, v in self.host_vars(host).items()}


def _synthesize_k8s_cluster(b: _Builder) -> None:
    if K8S_CLUSTER in b.groups or not any(p in b.groups for p in K8S_CLUSTER_PARTS):
        return
    members: dict[str, None] = {}
    for part in K8S_CLUSTER_PARTS:
        if part in b.groups:
            for g in b.descendants(part):
                for h in b.groups[g].hosts:
                    members.setdefault(h, None)
    group = Group(K8S_CLUSTER, synthesized=True)
    b.groups[K8S_CLUSTER] = group
    b.add_child("all", K8S_CLUSTER)
    group.depth = 1
    for h in members:
        group.hosts.append(h)
        b.host_groups[h].append(K8S_CLUSTER)


def load_inventory(
    path: str | os.PathLike[str],
    *,
    synthesize_k8s_cluster: bool = True,
    overlay: Mapping[str, bytes] | None = None,
) -> Inventory:
    """Load an inventory file or directory as ``ansible-inventory -i PATH`` would.

    Raises InventoryError when the path does not exist or holds no inventory; every other
    problem is recorded in ``Inventory.problems``. ``overlay`` maps real paths to the bytes to
    read in their place, new files included (``fix`` lints its edits before writing them).
    """
    p = os.path.abspath(os.fspath(path))
    if not os.path.exists(p):
        raise InventoryError(f"{os.fspath(path)}: no such file or directory")
    problems: list[LoadProblem] = []
    files: list[str] = []
    b = _Builder()
    b.problems = problems
    if os.path.isdir(p):
        candidates = _source_files(p, problems, set())
        basedir = p
        if not candidates:
            # kubespray's layout keeps inventory.ini in the cluster directory; ansible-core skips
            # *.ini when given the directory, so read them as `-i DIR/inventory.ini` would.
            try:
                names = sorted(os.listdir(p))
            except OSError:
                names = []
            candidates = [
                os.path.join(p, n)
                for n in names
                if n.endswith(".ini") and os.path.isfile(os.path.join(p, n))
            ]
            # kubespray's documented layout is inventory/<cluster>/inventory.ini, used with
            # `-i inventory/<cluster>/inventory.ini`; reading it is what its users expect, so no
            # notice is given.
    else:
        candidates = [p]
        basedir = os.path.dirname(p)
    sources: list[str] = []
    try:
        for c in candidates:
            if _parse_source(c, b, problems, files, overlay):
                sources.append(c)
    except NeedsAnsible:
        from node_timing.inventory.ansible_fallback import load_with_ansible

        return load_with_ansible(p, synthesize_k8s_cluster)
    if not sources:
        # Say why, or a broken hosts.yaml reads as an empty directory.
        errors = [str(pr) for pr in problems if pr.severity == "error"]
        why = (
            f" ({errors[0]}{f'; {len(errors) - 1} more problems' if len(errors) > 1 else ''})"
            if errors
            else ""
        )
        raise InventoryError(f"{os.fspath(path)}: no inventory found{why}")
    b.reconcile()
    if synthesize_k8s_cluster:
        _synthesize_k8s_cluster(b)
    group_files: dict[str, dict[str, Value]] = {}
    host_files: dict[str, dict[str, Value]] = {}
    real_base = os.path.realpath(basedir)
    gdir = os.path.join(real_base, "group_vars")
    if os.path.isdir(gdir) or _overlay_entries(gdir, overlay):
        vd = _VarsDir(gdir, overlay)
        for name in b.groups:
            merged: dict[str, Value] = {}
            for f in vd.find(name, problems):
                merged.update(load_vars_file(f, "group_vars", name, problems, files, overlay))
            if merged:
                group_files[name] = merged
    elif os.path.exists(gdir):
        problems.append(
            LoadProblem(
                gdir, 0, 0, "group_vars is not a directory: skipped", "inventory", "warning"
            )
        )
    hdir = os.path.join(real_base, "host_vars")
    if os.path.isdir(hdir) or _overlay_entries(hdir, overlay):
        vd = _VarsDir(hdir, overlay)
        for name in b.hosts:
            if name.startswith(os.sep):
                continue
            merged = {}
            for f in vd.find(name, problems):
                merged.update(load_vars_file(f, "host_vars", None, problems, files, overlay))
            if merged:
                host_files[name] = merged
    elif os.path.exists(hdir):
        problems.append(
            LoadProblem(hdir, 0, 0, "host_vars is not a directory: skipped", "inventory", "warning")
        )
    return Inventory(b, sources, files, group_files, host_files)


__all__ = ["Inventory", "load_inventory"]
