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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from node_timing.display import brief
from node_timing.inventory.ini import (
    MAX_ENTRIES_PER_FILE,
    Op,
    ParseError,
    expand_hostpattern,
    parse_ini,
    too_many_entries,
)
from node_timing.inventory.model import (
    Group,
    InventoryError,
    LoadProblem,
    SourceKind,
    Value,
)
from node_timing.inventory.root import private, project_root, within
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

    def __init__(self, path: str, what: str = "") -> None:
        super().__init__(path)
        self.path = path
        self.what = what


def _not_run(path: str, what: str, reader: _Reader) -> bool:
    """With the opt-in: hand the inventory to ansible-core. Without it: report and skip."""
    if reader.allow_exec:
        raise NeedsAnsible(path, what)
    reader.skipped_exec.append(path)
    reader.problems.append(
        LoadProblem(
            path,
            0,
            0,
            f"not read: {what}; node-timing runs nothing from an inventory unless {OPT_IN}",
            kind="not-executed",
            severity="warning",
        )
    )
    return False


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
                        f"ansible_group_priority must be an integer, got {brief(value.value)}",
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


# Larger files are skipped with a yaml-load finding (README, "Limits and bad input"): kubespray's own group_vars
# are a few KiB, and PyYAML needs about 20 times a file's size in memory to compose it.
MAX_FILE_SIZE = 16 * 1024 * 1024
# A directory inventory is walked as ansible-core walks it, but never without end: a tree this deep
# or this large is no inventory (ansible-core has no limit and dies of RecursionError).
MAX_WALK_DEPTH = 32
MAX_WALK_ENTRIES = 10_000
# Pseudo-filesystems: their "regular files" are the process environment, kernel state, devices.
_PSEUDO = ("/proc", "/sys", "/dev")

OPT_IN = "--allow-exec (or allow_exec: true in a -c config file)"


@dataclass
class _Reader:
    """Everything one load reads goes through here: confined to ``root``, bounded, recorded.

    ``files`` lists what was read (for fix and for the output); ``problems`` what was not.
    """

    root: str
    problems: list[LoadProblem]
    allow_exec: bool = False
    # real path -> bytes read in its place, new files included: fix lints its edits in memory
    overlay: Mapping[str, bytes] | None = None
    files: list[str] = field(default_factory=list)
    skipped_exec: list[str] = field(default_factory=list)

    def confined(self, path: str, kind: str = "inventory") -> str | None:
        """The real path of ``path`` when it stays inside the root, else None and a problem.

        The target of a symlink that leaves the root is never shown: it may itself be a secret
        (``/proc/self/environ``, a path naming a customer).
        """
        real = os.path.realpath(path)
        inside = within(self.root, real) and not any(
            real == p or real.startswith(p + os.sep) for p in _PSEUDO
        )
        if inside and private(self.root, real):
            self.problems.append(
                LoadProblem(
                    path,
                    0,
                    0,
                    "not read: a link into kubespray's credentials/ or artifacts/, a .creds or "
                    ".gpg file, or .git/ (secrets and generated files, never inventory)",
                    kind="outside-root",
                    severity="warning",
                )
            )
            return None
        if inside:
            return real
        self.problems.append(
            LoadProblem(
                path,
                0,
                0,
                "not read: a symlink to a path outside the project "
                f"({display_root(self.root)}); node-timing reads nothing outside it",
                kind="outside-root",
                severity="warning",
            )
        )
        return None

    def read(self, path: str) -> bytes | None:
        """The bytes of a regular file of at most MAX_FILE_SIZE inside the root (or the edit
        ``fix`` holds for it), else a problem and None."""
        real = self.confined(path)
        if real is None:
            return None
        held = self.overlay.get(real) if self.overlay else None
        if held is not None:
            self.files.append(path)
            return held
        data = read_bounded(real, self.problems, shown=path)
        if data is not None:
            self.files.append(path)
        return data

    def listdir(self, path: str, seen: frozenset[str], kind: str) -> list[str] | None:
        """Sorted names in directory ``path`` (inside the root, not seen on this branch), or None
        with a problem."""
        real = self.confined(path, kind)
        if real is None:
            return None
        if real in seen:
            self.problems.append(
                LoadProblem(path, 0, 0, "symlink loop: directory skipped", kind=kind)
            )
            return None
        if len(seen) >= MAX_WALK_DEPTH:
            self.problems.append(
                LoadProblem(
                    path,
                    0,
                    0,
                    f"not read: directories nested deeper than {MAX_WALK_DEPTH} levels",
                    kind=kind,
                )
            )
            return None
        try:
            return sorted(os.listdir(real))
        except OSError as exc:
            self.problems.append(LoadProblem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
            return None


def read_bounded(
    path: str, problems: list[LoadProblem], *, shown: str | None = None
) -> bytes | None:
    """The bytes of the regular file ``path`` of at most MAX_FILE_SIZE, else a problem (naming
    ``shown``, default ``path``) and None.

    The file is opened without following a last symlink and without blocking, then checked on the
    open descriptor: a FIFO swapped in after a check cannot hang the read, /dev/zero never reaches
    ``read``, a socket is named for what it is.
    """
    where = path if shown is None else shown
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            problems.append(LoadProblem(where, 0, 0, "cannot read: not a regular file"))
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        problems.append(LoadProblem(where, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            problems.append(LoadProblem(where, 0, 0, f"cannot read: {what}"))
            return None
        if st.st_size > MAX_FILE_SIZE:
            problems.append(LoadProblem(where, 0, 0, _too_large(st.st_size)))
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_SIZE:
            chunk = os.read(fd, MAX_FILE_SIZE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        problems.append(LoadProblem(where, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_SIZE:  # grew since stat
        problems.append(LoadProblem(where, 0, 0, _too_large(len(data))))
        return None
    return data


def display_root(root: str) -> str:
    """The root as a user wants to read it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(root)
    except (ValueError, OSError):  # another drive; a working directory that was deleted
        return root
    return root if rel.startswith("..") else rel


def _too_large(size: int) -> str:
    return f"not checked: file larger than {MAX_FILE_SIZE // (1024 * 1024)} MiB ({size:,} bytes)"


def decode_text(path: str, data: bytes, problems: list[LoadProblem]) -> str | None:
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
    path: str, kind: SourceKind, group: str | None, reader: _Reader
) -> dict[str, Value]:
    """Top-level variables of one group_vars/host_vars file, with positions."""
    problems = reader.problems
    data = reader.read(path)
    if data is None:
        return {}
    text = decode_text(path, data, problems)
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

    def __init__(self, path: str, reader: _Reader) -> None:
        self.path = path
        self.reader = reader
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
        for name, is_dir in _overlay_entries(path, reader.overlay).items():
            self.entries.setdefault(name, is_dir)

    def find(self, name: str) -> list[str]:
        for ext in VARS_EXTS:
            candidate = name + ext
            if candidate in self.entries:
                full = os.path.join(self.path, candidate)
                if self.entries[candidate]:
                    found = _dir_files(full, self.reader) if os.path.isdir(full) else []
                    return _with_overlay(full, found, self.reader.overlay)
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


def _walk(
    top: str, reader: _Reader, kind: str, skip: Callable[[str], bool]
) -> Iterator[tuple[str, str, bool]]:
    """``(path, name, is_dir)`` below ``top`` in ansible-core's order (sorted, depth first),
    without recursion: a directory 1,500 levels deep must not reach Python's recursion limit.

    Directories are entered only inside the root and up to MAX_WALK_DEPTH levels; at most
    MAX_WALK_ENTRIES entries are listed in all.
    """
    names = reader.listdir(top, frozenset(), kind)
    if names is None:
        return
    stack: list[tuple[str, Iterator[str], frozenset[str]]] = [
        (top, iter(names), frozenset({os.path.realpath(top)}))
    ]
    listed = 0
    while stack:
        directory, it, seen = stack[-1]
        name = next(it, None)
        if name is None:
            stack.pop()
            continue
        if skip(name):
            continue
        listed += 1
        if listed > MAX_WALK_ENTRIES:
            reader.problems.append(
                LoadProblem(
                    top,
                    0,
                    0,
                    f"not read past {MAX_WALK_ENTRIES:,} entries: no inventory is this large",
                    kind=kind,
                )
            )
            return
        full = os.path.join(directory, name)
        is_dir = os.path.isdir(full)
        yield full, name, is_dir
        if is_dir:
            sub = reader.listdir(full, seen, kind)
            if sub is not None:
                stack.append((full, iter(sub), seen | {os.path.realpath(full)}))


def _dir_files(path: str, reader: _Reader) -> list[str]:
    """The vars files of a ``group_vars/<group>/`` directory, as Ansible's vars plugin finds them."""

    def skip(name: str) -> bool:
        return name.startswith(".") or name.endswith("~")

    return [
        full
        for full, name, is_dir in _walk(path, reader, "yaml-load", skip)
        if not is_dir
        and (not os.path.splitext(name)[1] or os.path.splitext(name)[1] in YAML_EXTS)
        and os.path.isfile(full)
    ]


# ------------------------------------------------------------------------------ inventory sources


def _ignored_pattern() -> re.Pattern[str]:
    """ansible-core's IGNORED_ALWAYS, its reject and ignore extensions, plus kubespray's own
    ignore patterns and extensions (``artifacts``, ``credentials``, ``.creds``, ``.gpg``)."""
    from node_timing.knowledge import kubespray

    reading = kubespray()["inventory_reading"]
    exts = (*_REJECT_EXTS, ".orig", ".ini", ".cfg", ".retry", *reading["ignore_extensions"])
    return re.compile(
        r"^\.|^host_vars$|^group_vars$|^vars_plugins$|"
        + "|".join(re.escape(p) for p in reading["ignore_patterns"])
        + "|"
        + "|".join(re.escape(e) + "$" for e in dict.fromkeys(exts))
    )


_IGNORED = _ignored_pattern()


def _is_ignored(name: str) -> bool:
    return _IGNORED.search(name) is not None


def _top_sources(path: str, reader: _Reader) -> tuple[list[str], list[str]]:
    """The inventory files at the top of directory ``path``: what ansible-core would parse there
    with kubespray's ansible.cfg, and kubespray's ``inventory.ini`` (``*.ini``, which both skip
    when given the directory but which kubespray's documentation names with ``-i``)."""
    names = reader.listdir(path, frozenset(), "inventory") or []
    files = [n for n in names if not os.path.isdir(os.path.join(path, n))]
    return (
        [os.path.join(path, n) for n in files if not _IGNORED.search(n)],
        [os.path.join(path, n) for n in files if n.endswith(".ini")],
    )


def _source_files(path: str, reader: _Reader) -> tuple[list[str], list[str]]:
    """What stands for ``-i DIR``: the files ansible-core parses (the directory walked, sorted,
    minus ignored names) when there is one at the top, and kubespray's ``*.ini`` files there,
    read when the first give no inventory."""
    top, ini = _top_sources(path, reader)
    if not top:
        return [], ini
    walked = [
        full for full, _name, is_dir in _walk(path, reader, "inventory", _is_ignored) if not is_dir
    ]
    return walked, ini


# What makes a directory an inventory directory: Ansible's and kubespray's own names for the
# inventory file, or the variable directories beside it. Anything else is not walked: `-i /` makes
# ansible-core parse /etc/shadow as an INI inventory.
INVENTORY_STEMS = ("hosts", "inventory")


def _looks_like_inventory(path: str) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return False
    for name in names:
        full = os.path.join(path, name)
        if name in ("group_vars", "host_vars") and os.path.isdir(full):
            return True
        stem, ext = os.path.splitext(name)
        if (
            stem in INVENTORY_STEMS
            and ext in ("", ".ini", ".toml", *YAML_EXTS)
            and not (os.path.isdir(full))
        ):
            return True
    return False


def _conventional(path: str, reader: _Reader) -> list[str]:
    """Inventories in kubespray's layout below ``path``: ``inventory/<cluster>/`` (or
    ``<cluster>/`` when ``path`` is itself named ``inventory``) with a source at their top."""
    parent = path if os.path.basename(path) == "inventory" else os.path.join(path, "inventory")
    if not os.path.isdir(parent):
        return []
    quiet = _Reader(reader.root, [])
    names = quiet.listdir(parent, frozenset(), "inventory") or []
    return [
        os.path.join(parent, n)
        for n in names
        if not n.startswith(".")
        and os.path.isdir(os.path.join(parent, n))
        and quiet.confined(os.path.join(parent, n)) is not None
        and _looks_like_inventory(os.path.join(parent, n))
    ]


def _plugin_or_script(path: str, data: bytes) -> str | None:
    """What would run if ansible-core read this file, or None for plain INI/YAML data."""
    if path.endswith(".toml"):
        return "a TOML inventory (read by ansible-core's toml plugin)"
    if data.startswith(b"#!"):
        return "an executable inventory script"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) and os.access(path, os.X_OK):
        return "an executable inventory script"
    return None


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
        raise NeedsAnsible(path, "an inventory plugin configuration (plugins run code)")
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
                if len(ops) + len(names) * (1 + len(host_vars)) > MAX_ENTRIES_PER_FILE:
                    raise _YamlInventoryError(hk, too_many_entries())
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


def _parse_source(path: str, b: _Builder, reader: _Reader) -> bool:
    """Parse one inventory file into the builder; False when it is not usable.

    A file only ansible-core can read (a script, a plugin config, TOML) raises NeedsAnsible with
    the opt-in, and is reported and skipped without it: reading it would run its code.
    """
    problems = reader.problems
    if os.path.isdir(path):
        return False
    data = reader.read(path)
    if data is None:
        return False
    runs = _plugin_or_script(path, data[:2])
    if runs is not None:
        return _not_run(path, runs, reader)
    ext = os.path.splitext(path)[1]
    if not ext or ext in YAML_EXTS:
        text = decode_text(path, data, problems)
        if text is None:
            return False
        local: list[LoadProblem] = []
        try:
            ops = _yaml_inventory(path, text, local)
        except _YamlInventoryError as exc:
            m = exc.node.start_mark
            problems.append(LoadProblem(path, m.line + 1, m.column + 1, str(exc)))
            return False
        except NeedsAnsible as exc:
            return _not_run(path, exc.what, reader)
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
        basedir: str = "",
    ) -> None:
        self._b = builder
        self.hosts: list[str] = list(builder.hosts)
        self.groups: dict[str, Group] = builder.groups
        self.problems: list[LoadProblem] = builder.problems
        self.sources = sources
        self.files = files
        self.used_ansible = used_ansible
        # the directory holding group_vars/ and host_vars/ (a repository root given for its one
        # inventory/<name>/ stands for that directory)
        self.basedir = basedir
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
    allow_exec: bool = False,
    overlay: Mapping[str, bytes] | None = None,
) -> Inventory:
    """Load an inventory file or directory as ``ansible-inventory -i PATH`` would with kubespray's
    ansible.cfg, reading nothing outside the project root and running nothing.

    A directory is an inventory when it holds an inventory file at its top (kubespray's
    ``inventory/<cluster>/`` with ``inventory.ini`` beside ``group_vars/``); a directory holding
    exactly one such inventory under ``inventory/`` stands for it. ``allow_exec`` lets ansible-core
    read sources that run code (scripts, plugin configs), as ``ansible-inventory`` would.

    Raises InventoryError when the path does not exist, holds no inventory or no host; every
    other problem is recorded in ``Inventory.problems``. ``overlay`` maps real paths to the bytes
    to read in their place, new files included (``fix`` lints its edits before writing them).
    """
    shown = os.fspath(path)
    p = os.path.abspath(shown)
    if not os.path.lexists(p):
        raise InventoryError(f"{shown}: no such file or directory")
    problems: list[LoadProblem] = []
    reader = _Reader(project_root(p), problems, allow_exec, overlay)
    fallback: list[str] = []
    if os.path.isdir(p):
        candidates, fallback = _source_files(p, reader) if _looks_like_inventory(p) else ([], [])
        if not candidates and not fallback:
            found = _conventional(p, reader)
            if len(found) == 1:
                return load_inventory(
                    found[0],
                    synthesize_k8s_cluster=synthesize_k8s_cluster,
                    allow_exec=allow_exec,
                    overlay=overlay,
                )
            raise InventoryError(_not_an_inventory(shown, p, found, problems))
        basedir = p
    else:
        parts = p.split(os.sep)
        if "group_vars" in parts[-3:-1] or "host_vars" in parts[-3:-1]:
            raise InventoryError(
                f"{shown}: a vars file, not an inventory: lint the inventory file or the "
                "directory that holds group_vars/"
            )
        candidates = [p]
        basedir = os.path.dirname(p)
    b = _Builder()
    b.problems = problems
    sources: list[str] = []
    try:
        for c in candidates:
            if _parse_source(c, b, reader):
                sources.append(c)
        if not sources:
            # kubespray's layout: inventory/<cluster>/inventory.ini beside group_vars/.
            for c in fallback:
                if _parse_source(c, b, reader):
                    sources.append(c)
    except NeedsAnsible:
        from node_timing.inventory.ansible_fallback import load_with_ansible

        _prescan(shown, basedir, candidates, reader)
        return load_with_ansible(p, candidates, synthesize_k8s_cluster)
    if reader.skipped_exec:
        _report_ansible_cfg(basedir, reader)
    if not sources or not b.hosts:
        raise InventoryError(_no_hosts(shown, sources, problems))
    b.reconcile()
    if synthesize_k8s_cluster:
        _synthesize_k8s_cluster(b)
    group_files: dict[str, dict[str, Value]] = {}
    host_files: dict[str, dict[str, Value]] = {}
    gdir = _vars_dir(basedir, "group_vars", reader)
    if gdir is not None:
        vd = _VarsDir(gdir, reader)
        for name in b.groups:
            merged: dict[str, Value] = {}
            for f in vd.find(name):
                merged.update(load_vars_file(f, "group_vars", name, reader))
            if merged:
                group_files[name] = merged
    hdir = _vars_dir(basedir, "host_vars", reader)
    if hdir is not None:
        vd = _VarsDir(hdir, reader)
        for name in b.hosts:
            if name.startswith(os.sep):
                continue
            merged = {}
            for f in vd.find(name):
                merged.update(load_vars_file(f, "host_vars", None, reader))
            if merged:
                host_files[name] = merged
    return Inventory(b, sources, reader.files, group_files, host_files, basedir=basedir)


# ansible.cfg settings that make ansible-core import code while it reads an inventory.
_PLUGIN_KEYS = (
    "inventory_plugins",
    "vars_plugins",
    "enable_plugins",
    "collections_path",
    "collections_paths",
)


def _report_ansible_cfg(basedir: str, reader: _Reader) -> None:
    """Name an ``ansible.cfg`` (inventory or working directory) that would load plugins: with
    ``--allow-exec`` ansible-core reads the working directory's. Only keys are named, never
    values; a file outside the project is not opened."""
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = basedir
    for directory in dict.fromkeys((basedir, cwd)):
        path = os.path.join(directory, "ansible.cfg")
        if not os.path.isfile(path):
            continue
        quiet = _Reader(reader.root, [])
        data = quiet.read(path)
        if data is None:
            continue
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            key = line.split("=", 1)[0].strip().lower()
            if "=" in line and key in _PLUGIN_KEYS:
                reader.problems.append(
                    LoadProblem(
                        path,
                        number,
                        1,
                        f"not loaded: {key} would make ansible-core import code from the "
                        f"project; node-timing reads no ansible.cfg unless {OPT_IN}",
                        kind="not-executed",
                        severity="warning",
                    )
                )


def _prescan(shown: str, basedir: str, sources: list[str], reader: _Reader) -> None:
    """Before ansible-core reads the inventory: the files it will read must pass the limits the
    native reader applies (ansible-core has none: an alias bomb, a FIFO or /dev/zero would hang
    it or exhaust memory). Raises InventoryError naming the first file that does not; a YAML file
    that does not parse would stop ansible-core too."""
    data_files = [s for s in sources if _plugin_or_script(s, b"") is None]
    yaml_files = [s for s in data_files if os.path.splitext(s)[1] in YAML_EXTS]
    for name in ("group_vars", "host_vars"):
        top = _vars_dir(basedir, name, reader)
        if top is not None:
            yaml_files.extend(
                full
                for full, _n, is_dir in _walk(top, reader, "yaml-load", lambda n: n[:1] == ".")
                if not is_dir
            )
    is_yaml = set(yaml_files)
    for path in dict.fromkeys([*data_files, *yaml_files]):
        before = len(reader.problems)
        data = reader.read(path)
        if data is not None and path in is_yaml:
            text = decode_text(path, data, reader.problems)
            if text is not None:
                reader.problems.extend(parse_yaml(path, text)[1])
        # ansible-core would follow a symlink out of the project: that is no warning here
        errors = [
            p for p in reader.problems[before:] if p.severity == "error" or p.kind == "outside-root"
        ]
        if errors:
            raise InventoryError(f"{shown}: not handed to ansible-core: {errors[0]}")


def _vars_dir(basedir: str, name: str, reader: _Reader) -> str | None:
    """``basedir/name`` when it is a directory inside the root, else None (with a problem when
    it exists but cannot be used)."""
    path = os.path.join(basedir, name)
    if not os.path.lexists(path):
        # a group_vars/ that fix is about to create
        return path if _overlay_entries(path, reader.overlay) else None
    if reader.confined(path) is None:
        return None
    if not os.path.isdir(path):
        reader.problems.append(
            LoadProblem(path, 0, 0, f"{name} is not a directory: skipped", "inventory", "warning")
        )
        return None
    return path


def _not_an_inventory(shown: str, path: str, found: list[str], problems: list[LoadProblem]) -> str:
    if found:
        names = ", ".join(os.path.relpath(f, path) for f in found)
        return f"{shown}: not an inventory; it holds {len(found)} ({names}): lint one of them"
    why = _first_error(problems)
    return (
        f"{shown}: no inventory here: expected an inventory file (inventory.ini, hosts.yaml, ...) "
        f"or group_vars/ at its top; name another inventory file directly{why}"
    )


def _no_hosts(shown: str, sources: list[str], problems: list[LoadProblem]) -> str:
    if sources:
        names = ", ".join(os.path.basename(s) for s in sources)
        return f"{shown}: no hosts in {names}{_first_error(problems)}"
    return f"{shown}: no inventory found{_first_error(problems)}"


def _first_error(problems: list[LoadProblem]) -> str:
    """Why nothing was read, from the first problems (say why, or a broken hosts.yaml reads as
    an empty directory)."""
    errors = [
        str(pr)
        for pr in problems
        if pr.severity == "error" or pr.kind in ("not-executed", "outside-root", "vault")
    ]
    if not errors:
        return ""
    more = f"; {len(errors) - 1} more problems" if len(errors) > 1 else ""
    return f" ({errors[0]}{more})"


__all__ = ["Inventory", "load_inventory"]
