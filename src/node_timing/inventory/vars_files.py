"""group_vars/ and host_vars/: their files and directories, found and read as Ansible's
host_group_vars plugin does, with positions.

Every file is read through the load's Reader (confined, at most MAX_FILE_SIZE, walked within
MAX_WALK_DEPTH/MAX_WALK_ENTRIES). ``fix`` lints its edits before writing them: files it holds in
the Reader's overlay, new ones included, are listed here as if they were on disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import yaml

from node_timing.inventory.model import YAML_EXTS, LoadProblem, SourceKind, Value
from node_timing.inventory.read import Reader, decode_text, walk
from node_timing.inventory.yamlpos import YamlDocument, is_templated, parse_yaml

VARS_EXTS = ("", *YAML_EXTS)

# fix loads the inventory again after each round of edits: a file whose bytes did not change is
# not parsed again (a 10 MB group_vars file cost a parse per round). Off outside reuse_parses().
_Parsed = tuple[bytes, dict[str, Value], list[LoadProblem]]
_parsed: dict[tuple[str, SourceKind, str | None], _Parsed] | None = None


@contextmanager
def reuse_parses() -> Iterator[None]:
    """Within the block, a vars file read again with the same bytes reuses its first parse."""
    global _parsed
    _parsed = {}
    try:
        yield
    finally:
        _parsed = None


def vars_value(
    doc: YamlDocument,
    key_node: yaml.Node,
    value_node: yaml.Node,
    kind: SourceKind,
    group: str | None,
) -> tuple[str, Value]:
    """One ``key: value`` of a vars mapping (a vars file, or a YAML inventory's ``vars:`` and
    host entries) as the variable name and its Value with position and noqa."""
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
    path: str, kind: SourceKind, group: str | None, reader: Reader
) -> dict[str, Value]:
    """Top-level variables of one group_vars/host_vars file, with positions."""
    problems = reader.problems
    data = reader.read(path)
    if data is None:
        return {}
    key = (path, kind, group)
    if _parsed is not None and key in _parsed and _parsed[key][0] == data:
        _data, values, found = _parsed[key]
        problems.extend(found)
        return dict(values)
    before = len(problems)
    out = _parse_vars(path, data, kind, group, problems)
    if _parsed is not None:
        _parsed[key] = (data, dict(out), problems[before:])
    return out


def _parse_vars(
    path: str, data: bytes, kind: SourceKind, group: str | None, problems: list[LoadProblem]
) -> dict[str, Value]:
    text = decode_text(path, data, problems)
    if text is None:
        return {}
    return vars_from_text(path, text, kind, group, problems)


def vars_from_text(
    path: str, text: str, kind: SourceKind, group: str | None, problems: list[LoadProblem]
) -> dict[str, Value]:
    """Top-level variables of the YAML mapping ``text`` (read from ``path``), with positions."""
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
            key, value = vars_value(doc, k, v, kind, group)
        except yaml.YAMLError as exc:
            m = v.start_mark
            problems.append(LoadProblem(path, m.line + 1, m.column + 1, f"invalid YAML: {exc}"))
            continue
        out[key] = value
    problems.extend(doc.problems)
    return out


def vars_dir(basedir: str, name: str, reader: Reader) -> str | None:
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


class VarsDir:
    """A ``group_vars``/``host_vars`` directory, listed once (Ansible's find_vars_files)."""

    def __init__(self, path: str, reader: Reader) -> None:
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


def _dir_files(path: str, reader: Reader) -> list[str]:
    """The vars files of a ``group_vars/<group>/`` directory, as Ansible's vars plugin finds them."""

    def skip(name: str) -> bool:
        return name.startswith(".") or name.endswith("~")

    return [
        full
        for full, name, is_dir in walk(path, reader, "yaml-load", skip)
        if not is_dir
        and (not os.path.splitext(name)[1] or os.path.splitext(name)[1] in YAML_EXTS)
        and os.path.isfile(full)
    ]


__all__ = ["VARS_EXTS", "VarsDir", "load_vars_file", "vars_dir", "vars_from_text", "vars_value"]
