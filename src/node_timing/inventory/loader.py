"""Load an Ansible inventory (file or directory) with its group_vars/host_vars, as Ansible does.

This module finds the sources (what ``ansible-inventory -i PATH`` would parse with kubespray's
ansible.cfg), parses each into a Builder (INI in ``ini.py``, YAML in ``yaml_inventory.py``),
reads the vars files (``vars_files.py``) and returns the Inventory (``graph.py``). Every read goes
through the confined, bounded Reader (``read.py``). Sources only ansible-core can read go to
``ansible_fallback.py`` with the user's opt-in.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence

from node_timing.inventory.ansible_fallback import load_with_ansible
from node_timing.inventory.builder import Builder, add_cluster_group, add_legacy_groups
from node_timing.inventory.extra_vars import load_extra_vars
from node_timing.inventory.graph import Inventory
from node_timing.inventory.ini import ParseError, parse_ini
from node_timing.inventory.kubean import find_layout
from node_timing.inventory.model import YAML_EXTS, InventoryError, LoadProblem, NeedsAnsible, Value
from node_timing.inventory.read import Reader, decode_text, walk
from node_timing.inventory.root import project_root
from node_timing.inventory.vars_files import VarsDir, load_vars_file, vars_dir, vars_from_text
from node_timing.inventory.yaml_inventory import YamlInventoryError, parse_yaml_inventory
from node_timing.inventory.yamlpos import parse_yaml
from node_timing.knowledge import kubespray

# ansible-core's REJECT_EXTS: never an inventory source, whatever the ansible.cfg.
_REJECT_EXTS = (".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst")
OPT_IN = "--allow-exec (or allow_exec: true in a -c config file)"


def _not_run(path: str, what: str, reader: Reader) -> bool:
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


def _ignored_pattern() -> re.Pattern[str]:
    """ansible-core's IGNORED_ALWAYS, its reject and ignore extensions, plus kubespray's own
    ignore patterns and extensions (``artifacts``, ``credentials``, ``.creds``, ``.gpg``)."""
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


def _top_sources(path: str, reader: Reader) -> tuple[list[str], list[str]]:
    """The inventory files at the top of directory ``path``: what ansible-core would parse there
    with kubespray's ansible.cfg, and kubespray's ``inventory.ini`` (``*.ini``, which both skip
    when given the directory but which kubespray's documentation names with ``-i``)."""
    names = reader.listdir(path, frozenset(), "inventory") or []
    files = [n for n in names if not os.path.isdir(os.path.join(path, n))]
    return (
        [os.path.join(path, n) for n in files if not _IGNORED.search(n)],
        [os.path.join(path, n) for n in files if n.endswith(".ini")],
    )


def _source_files(path: str, reader: Reader) -> tuple[list[str], list[str]]:
    """What stands for ``-i DIR``: the files ansible-core parses (the directory walked, sorted,
    minus ignored names) when there is one at the top, and kubespray's ``*.ini`` files there,
    read when the first give no inventory."""
    top, ini = _top_sources(path, reader)
    if not top:
        return [], ini
    walked = [
        full for full, _name, is_dir in walk(path, reader, "inventory", _is_ignored) if not is_dir
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


def _conventional(path: str, reader: Reader) -> list[str]:
    """Inventories in kubespray's layout below ``path``: ``inventory/<cluster>/`` (or
    ``<cluster>/`` when ``path`` is itself named ``inventory``) with a source at their top."""
    parent = path if os.path.basename(path) == "inventory" else os.path.join(path, "inventory")
    if not os.path.isdir(parent):
        return []
    quiet = Reader(reader.root, [])
    names = quiet.listdir(parent, frozenset(), "inventory") or []
    return [
        os.path.join(parent, n)
        for n in names
        if not n.startswith(".")
        and os.path.isdir(os.path.join(parent, n))
        and quiet.confined(os.path.join(parent, n)) is not None
        and _looks_like_inventory(os.path.join(parent, n))
    ]


def inventories_in(path: str | os.PathLike[str]) -> list[str]:
    """The inventories in kubespray's layout below directory ``path`` when it is itself no
    inventory (``inventory/`` holding ``prod/`` and ``staging/``), else []."""
    p = os.path.abspath(os.fspath(path))
    if not os.path.isdir(p) or _looks_like_inventory(p):
        return []
    return _conventional(p, Reader(project_root(p), []))


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


def _parse_source(path: str, b: Builder, reader: Reader) -> bool:
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
            ops = parse_yaml_inventory(path, text, local)
        except YamlInventoryError as exc:
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


def load_inventory(
    path: str | os.PathLike[str],
    *,
    synthesize_k8s_cluster: bool = True,
    allow_exec: bool = False,
    overlay: Mapping[str, bytes] | None = None,
    extra_vars: Sequence[str] = (),
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
    ``extra_vars`` are ``-e`` arguments (``extra_vars.py``), above every inventory variable; one
    ansible-playbook would refuse raises UsageError.
    """
    extra = load_extra_vars(extra_vars)
    shown = os.fspath(path)
    kubean = (
        find_layout(shown, _looks_like_inventory(os.path.abspath(shown)))
        if os.path.lexists(shown)
        else None
    )
    if kubean is None:
        inventory = _load(path, synthesize_k8s_cluster, allow_exec, overlay)
        inventory.extra_vars = extra
        return inventory
    # Kubean's: the hosts text read in place of its file, its group_vars.yml as extra vars under
    # the user's own -e
    held = {os.path.realpath(kubean.hosts.path): kubean.hosts.text.encode()}
    inventory = _load(kubean.hosts.path, synthesize_k8s_cluster, False, held)
    problems: list[LoadProblem] = []
    if kubean.variables is not None:
        found = vars_from_text(
            kubean.variables.path, kubean.variables.text, "extra_vars", None, problems
        )
        inventory.problems.extend(problems)
        inventory.extra_vars = {**found, **extra}
    else:
        inventory.extra_vars = extra
    inventory.layout = kubean.said
    return inventory


def _load(
    path: str | os.PathLike[str],
    synthesize_k8s_cluster: bool,
    allow_exec: bool,
    overlay: Mapping[str, bytes] | None,
) -> Inventory:
    shown = os.fspath(path)
    p = os.path.abspath(shown)
    if not os.path.lexists(p):
        raise InventoryError(f"{shown}: no such file or directory")
    problems: list[LoadProblem] = []
    reader = Reader(project_root(p), problems, allow_exec, overlay)
    fallback: list[str] = []
    if os.path.isdir(p):
        candidates, fallback = _source_files(p, reader) if _looks_like_inventory(p) else ([], [])
        if not candidates and not fallback:
            found = _conventional(p, reader)
            if len(found) == 1:
                return _load(found[0], synthesize_k8s_cluster, allow_exec, overlay)
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
    b = Builder()
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
        _prescan(shown, basedir, candidates, reader)
        return load_with_ansible(p, candidates, synthesize_k8s_cluster)
    if reader.skipped_exec:
        _report_ansible_cfg(basedir, reader)
    if not sources or not b.hosts:
        raise InventoryError(_no_hosts(shown, sources, problems))
    b.reconcile()
    if synthesize_k8s_cluster:
        add_legacy_groups(b)
        add_cluster_group(b)
    group_files: dict[str, dict[str, Value]] = {}
    host_files: dict[str, dict[str, Value]] = {}
    gdir = vars_dir(basedir, "group_vars", reader)
    if gdir is not None:
        vd = VarsDir(gdir, reader)
        for name in b.groups:
            merged: dict[str, Value] = {}
            for f in vd.find(name):
                merged.update(load_vars_file(f, "group_vars", name, reader))
            if merged:
                group_files[name] = merged
    hdir = vars_dir(basedir, "host_vars", reader)
    if hdir is not None:
        vd = VarsDir(hdir, reader)
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


def _report_ansible_cfg(basedir: str, reader: Reader) -> None:
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
        quiet = Reader(reader.root, [])
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


def _prescan(shown: str, basedir: str, sources: list[str], reader: Reader) -> None:
    """Before ansible-core reads the inventory: the files it will read must pass the limits the
    native reader applies (ansible-core has none: an alias bomb, a FIFO or /dev/zero would hang
    it or exhaust memory). Raises InventoryError naming the first file that does not; a YAML file
    that does not parse would stop ansible-core too."""
    data_files = [s for s in sources if _plugin_or_script(s, b"") is None]
    yaml_files = [s for s in data_files if os.path.splitext(s)[1] in YAML_EXTS]
    for name in ("group_vars", "host_vars"):
        top = vars_dir(basedir, name, reader)
        if top is not None:
            yaml_files.extend(
                full
                for full, _n, is_dir in walk(top, reader, "yaml-load", lambda n: n[:1] == ".")
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


__all__ = ["inventories_in", "load_inventory"]
