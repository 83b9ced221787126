"""``node-timing fix``: repair an inventory's findings that have one unambiguous repair.

The inventory is copied to a private work directory; each pass lints the copy, plans edits from
the fixable findings (``plan.py``), applies them as minimal text edits (``yamledit.py``,
``iniedit.py``), and checks by parsing the edited file again that it means exactly what was
intended. Passes repeat until nothing is left to fix (one repair can reveal another), so a second
run finds nothing to do. Only then are the changed files written back, each atomically, and only
if it has not changed on disk since it was read.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node_timing.findings import Finding
from node_timing.fix.plan import Op, Planner, default_vars_file, resolve_conflicts
from node_timing.fix.yamledit import EditError

MAX_PASSES = 4
_IGNORE = shutil.ignore_patterns(".git", "__pycache__")
NEW_FILE_HEADER = "---\n# Node-health timing settings added by `node-timing fix`.\n"
YAML_EXTS = (".yml", ".yaml")


@dataclass
class FileChange:
    path: str  # the original file
    old: bytes | None  # None: a new file
    new: bytes
    rules: set[str] = field(default_factory=set)


@dataclass
class FixResult:
    changes: list[FileChange]
    remaining: list[Finding]  # findings after fixing, with original paths
    skipped: list[str]  # repairs that could not be made safely, one line each
    stale: list[str] = field(default_factory=list)  # files changed on disk meanwhile


class Workspace:
    """A private copy of what the loader reads, and the way back to the original paths."""

    def __init__(self, inventory: Path) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="node-timing-fix-")).resolve()
        src = Path(os.path.abspath(inventory))
        self.original_base = src if src.is_dir() else src.parent
        self.root = self.tmp / "inventory"
        self.originals: dict[str, bytes] = {}  # relative path → bytes read
        if src.is_dir():
            self._copytree(src, self.root)
            self.inventory = self.root
        else:
            self.root.mkdir()
            self._copy(str(src), str(self.root / src.name))
            for name in ("group_vars", "host_vars"):
                if (src.parent / name).is_dir():
                    self._copytree(src.parent / name, self.root / name)
            self.inventory = self.root / src.name

    def _copytree(self, src: Path, dst: Path) -> None:
        shutil.copytree(
            src, dst, ignore=_IGNORE, copy_function=self._copy, ignore_dangling_symlinks=True
        )

    def _copy(self, src: str, dst: str) -> str:
        with open(src, "rb") as fh:
            data = fh.read()
        with open(dst, "wb") as fh:
            fh.write(data)
        shutil.copymode(src, dst)  # the loader treats executable files as inventory scripts
        self.originals[os.path.relpath(dst, self.root)] = data
        return dst

    def relative(self, path: str) -> str | None:
        rel = os.path.relpath(os.path.realpath(path), self.root)
        return None if rel.startswith("..") else rel

    def original(self, rel: str) -> str:
        return str(self.original_base / rel)

    def changes(self) -> list[FileChange]:
        out = []
        for dirpath, _dirs, files in os.walk(self.root):
            for name in sorted(files):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self.root)
                with open(full, "rb") as fh:
                    data = fh.read()
                old = self.originals.get(rel)
                if old != data:
                    out.append(FileChange(self.original(rel), old, data))
        return sorted(out, key=lambda c: c.path)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _kind(path: str) -> str:
    ext = os.path.splitext(path)[1]
    if ext in YAML_EXTS:
        return "yaml"
    if ext == ".json":
        return "json"
    if ext == ".ini":
        return "ini"
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "yaml"
    import yaml

    from node_timing.inventory.yamlpos import parse_yaml

    doc, _ = parse_yaml(path, head.decode("utf-8", "replace"))
    return "yaml" if doc is not None and isinstance(doc.root, yaml.MappingNode) else "ini"


def apply_ops(path: str, ops: list[Op]) -> tuple[bool, list[str]]:
    """Apply ``ops`` to one file; returns (changed, problems). Nothing is written on a problem."""
    exists = os.path.exists(path)
    kind = _kind(path) if exists else "yaml"
    if kind == "json":
        return False, [f"{path}: JSON vars files are not edited; {_describe(ops)}"]
    with open(path, "rb") if exists else _empty() as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False, [f"{path}: not UTF-8, not edited"]
    if not exists:
        text = NEW_FILE_HEADER
    try:
        if kind == "ini":
            new_text, problems = _apply_ini(path, text, ops)
        else:
            new_text, problems = _apply_yaml(path, text, ops)
    except EditError as exc:
        return False, [f"{path}: {exc}; {_describe(ops)} left as is"]
    if new_text == text and exists:
        return False, problems
    if not exists:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(new_text.encode("utf-8"))
    return True, problems


class _empty:
    def __enter__(self) -> _empty:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self) -> bytes:
        return b""


def _describe(ops: Iterable[Op]) -> str:
    return ", ".join(sorted({o.rule for o in ops if o.rule})) or "changes"


_ORDER = {"set": 0, "rename": 0, "add_var": 1, "delete": 2}


def _apply_yaml(path: str, text: str, ops: list[Op]) -> tuple[str, list[str]]:
    from node_timing.fix.yamledit import YamlText

    doc = YamlText(text)
    old = _construct(path, text)
    expected = copy.deepcopy(old)
    problems: list[str] = []
    for op in sorted(ops, key=lambda o: _ORDER[o.action]):
        mark = len(doc.edits)
        trial = copy.deepcopy(expected)
        try:
            _yaml_op(doc, op, trial)
        except (EditError, KeyError, TypeError) as exc:
            del doc.edits[mark:]
            problems.append(f"{path}:{op.line}: {op.rule}: not fixed: {exc}")
            continue
        expected = trial
    new_text = doc.result()
    if _construct(path, new_text) != expected:
        raise EditError("the edited file would not mean what was intended")
    return new_text, problems


def _construct(path: str, text: str) -> Any:
    from node_timing.inventory.yamlpos import parse_yaml

    doc, problems = parse_yaml(path, text)
    if doc is None:
        raise EditError(problems[0].message if problems else "cannot parse")
    if doc.root is None:
        return {}
    value = doc.construct(doc.root)
    return {} if value is None else value


def _at(data: Any, keys: tuple[Any, ...]) -> Any:
    for k in keys:
        data = data[k]
    return data


def _yaml_op(doc: Any, op: Op, expected: Any) -> None:
    if op.action == "add_var":
        assert op.key is not None
        if op.line:
            sibling = doc.variable(op.line, op.var)
            mapping, keys, after = sibling.mapping, sibling.path, sibling
        else:
            mapping, keys, after = doc.root_mapping(), (), None
        existing = (
            doc.key_in(mapping, op.key, doc.pairs_of(mapping)) if mapping is not None else None
        )
        target = _at(expected, keys)
        if existing is None:
            doc.insert(mapping, after, op.key, op.value)
            target[op.key] = op.value
        elif isinstance(op.value, dict):
            for k, v in op.value.items():
                _set_key(doc, existing, k, v)
                target[op.key][k] = v
        else:
            doc.set_value(existing, op.value)
            target[op.key] = op.value
        return
    pair = doc.variable(op.line, op.var)
    holder = _at(expected, pair.path)
    if op.key is None:
        if op.action == "set":
            doc.set_value(pair, op.value)
            holder[op.var] = op.value
        elif op.action == "delete":
            doc.delete(pair)
            del holder[op.var]
        return
    content = holder[op.var]
    if not isinstance(content, dict):
        raise EditError(f"{op.var} is not a mapping")
    if op.action == "set":
        _set_key(doc, pair, op.key, op.value)
        content[op.key] = op.value
    elif op.action == "delete":
        key_pair = doc.dict_key(pair, op.key)
        if key_pair is not None:
            doc.delete(key_pair)
            del content[op.key]
    elif op.action == "rename":
        assert op.new_key is not None
        key_pair = doc.dict_key(pair, op.key)
        if key_pair is None or doc.dict_key(pair, op.new_key) is not None:
            raise EditError(f"cannot rename {op.var}.{op.key} to {op.new_key}")
        doc.rename(key_pair, op.new_key, op.value)
        del content[op.key]
        content[op.new_key] = op.value


def _set_key(doc: Any, var_pair: Any, key: str, value: Any) -> None:
    key_pair = doc.dict_key(var_pair, key)
    if key_pair is None:
        doc.insert(var_pair.value, None, key, value)
    else:
        doc.set_value(key_pair, value)


def _ini_vars(
    path: str, text: str
) -> tuple[list[Any], dict[tuple[str, str, str], tuple[Any, int]]]:
    from node_timing.inventory.ini import ParseError, parse_ini

    try:
        ops = parse_ini(path, text.encode("utf-8"), set())
    except ParseError as exc:
        raise EditError(f"line {exc.line}: {exc}") from None
    structure = [o[:4] if o[0] == "host" else o for o in ops if o[0] not in ("hvar", "gvar")]
    values = {(o[0], o[1], o[2]): (o[3].value, o[3].line) for o in ops if o[0] in ("hvar", "gvar")}
    return structure, values


def _apply_ini(path: str, text: str, ops: list[Op]) -> tuple[str, list[str]]:
    from node_timing.fix.iniedit import IniText

    ini = IniText(text)
    structure, values = _ini_vars(path, text)
    expected = dict(values)
    problems: list[str] = []
    dict_values: dict[tuple[int, str], dict[str, Any]] = {}
    for op in sorted(ops, key=lambda o: _ORDER[o.action]):
        entries = [k for k, (_, line) in values.items() if line == op.line and k[2] == op.var]
        try:
            token = ini.token(op.line, op.var)
            if not entries:
                raise EditError(f"{op.var} not found on line {op.line}")
            if op.action == "add_var":
                assert op.key is not None
                if any((k[0], k[1], op.key) in values for k in entries):
                    raise EditError(f"{op.key} is already set on that line")
                ini.insert_after(token, op.key, op.value)
                for k in entries:
                    expected[(k[0], k[1], op.key)] = (op.value, op.line)
            elif op.key is None:
                if op.action == "set":
                    ini.set_value(token, op.value)
                    for k in entries:
                        expected[k] = (op.value, op.line)
                elif op.action == "delete":
                    ini.delete(token)
                    for k in entries:
                        del expected[k]
            else:
                current = dict_values.get((op.line, op.var))
                if current is None:
                    first = values[entries[0]][0]
                    if not isinstance(first, dict):
                        raise EditError(f"{op.var} is not a dict")
                    current = dict(first)
                if op.action == "set":
                    current[op.key] = op.value
                elif op.action == "delete":
                    current.pop(op.key, None)
                elif op.action == "rename":
                    assert op.new_key is not None
                    current.pop(op.key, None)
                    current[op.new_key] = op.value
                dict_values[(op.line, op.var)] = current
                for k in entries:
                    expected[k] = (current, op.line)
        except EditError as exc:
            problems.append(f"{path}:{op.line}: {op.rule}: not fixed: {exc}")
    for (line, var), content in dict_values.items():
        ini.set_value(ini.token(line, var), content)
    new_text = ini.result()
    new_structure, new_values = _ini_vars(path, new_text)
    if new_structure != structure or {k: v[0] for k, v in new_values.items()} != {
        k: v[0] for k, v in expected.items()
    }:
        raise EditError("the edited inventory would not mean what was intended")
    return new_text, problems


def run_fix(
    inventory: Path,
    *,
    options: Any,
    config: Any,
    rules: Collection[str] | None = None,
    profile: str | None = None,
) -> tuple[FixResult, Workspace]:
    """Fix a private copy of ``inventory``; the caller writes the changes back (``write_back``)."""
    ws = Workspace(inventory)
    try:
        return _passes(ws, options, config, rules, profile), ws
    except BaseException:
        ws.close()
        raise


def _passes(
    ws: Workspace, options: Any, config: Any, rules: Collection[str] | None, profile: str | None
) -> FixResult:
    from node_timing.inventory import load_inventory
    from node_timing.lint import build_context, run_rules
    from node_timing.lintconfig import apply_silencing, matches

    skipped: list[str] = []
    rules_of: dict[str, set[str]] = {}
    findings: list[Finding] = []
    for n in range(MAX_PASSES + 1):
        ctx = build_context(load_inventory(ws.inventory), options)
        findings = apply_silencing(run_rules(ctx), config)
        if n == MAX_PASSES:
            break
        planner = Planner(ctx, default_vars_file(str(ws.root)))
        planned: list[Op] = []
        if n == 0:
            name = profile or _declared_profile(ctx, findings, rules)
            if name is not None:
                planned.extend(_profile_ops(planner, ctx, name, skipped))
        for f in findings:
            if f.fixable and (rules is None or matches(f.rule, rules)):
                planned.extend(planner.plan(f))
        ops, dropped = resolve_conflicts(planned)
        if n == 0:
            skipped.extend(
                f"{o.file}:{o.line}: {o.rule}: not fixed: hosts disagree on {o.var}"
                for o in dropped
                if o.rule
            )
        changed = False
        by_file: dict[str, list[Op]] = {}
        for op in ops:
            by_file.setdefault(op.file, []).append(op)
        for path, file_ops in by_file.items():
            if ws.relative(path) is None:
                skipped.append(f"{path}: outside the inventory, not edited")
                continue
            did, problems = apply_ops(path, file_ops)
            skipped.extend(problems)
            if did:
                changed = True
                rules_of.setdefault(ws.relative(path) or path, set()).update(
                    o.rule for o in file_ops
                )
        if not changed:
            break
    changes = ws.changes()
    for c in changes:
        c.rules = rules_of.get(os.path.relpath(c.path, ws.original_base), set())
    remaining = [_to_original(f, ws) for f in findings]
    skipped_lines = [_to_original_text(line, ws) for line in dict.fromkeys(skipped)]
    return FixResult(changes, remaining, skipped_lines)


def _declared_profile(
    ctx: Any, findings: list[Finding], rules: Collection[str] | None
) -> str | None:
    from node_timing.effective import plain
    from node_timing.lintconfig import matches

    if rules is not None and not matches("profile-drift", rules):
        return None
    if not any(f.rule == "profile-drift" and f.fixable for f in findings):
        return None
    holder = ctx.cluster.variables.get("node_timing_profile")
    return str(plain(holder)) if holder is not None else None


def _profile_ops(planner: Planner, ctx: Any, name: str, skipped: list[str]) -> list[Op]:
    from node_timing import profiles
    from node_timing.effective import plain
    from node_timing.knowledge import KnowledgeError
    from node_timing.settings import SettingError

    raw = plain(ctx.cluster.variables.get("node_timing_overrides")) or {}
    overrides = dict(raw) if isinstance(raw, dict) else {}
    try:
        result = profiles.compute(
            name, ctx.nodes, str(ctx.version), overrides, ctx.heartbeat_budget
        )
    except (profiles.ProfileError, SettingError, KnowledgeError) as exc:
        skipped.append(f"profile {name}: not applied: {exc}")
        return []
    return planner.profile_ops(result.settings, name)


def _to_original(finding: Finding, ws: Workspace) -> Finding:
    import dataclasses

    rel = ws.relative(finding.path) if os.path.isabs(finding.path) else None
    return dataclasses.replace(finding, path=ws.original(rel)) if rel is not None else finding


def _to_original_text(line: str, ws: Workspace) -> str:
    return line.replace(str(ws.root) + os.sep, str(ws.original_base) + os.sep)


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def write_back(changes: list[FileChange]) -> tuple[list[str], list[str]]:
    """Write every change atomically; returns the files left alone because they changed on disk
    since they were read, and one line per file that could not be written."""
    from node_timing.render.write import atomic_write

    stale: list[str] = []
    failed: list[str] = []
    for change in changes:
        target = Path(os.path.realpath(change.path))
        try:
            now: bytes | None = target.read_bytes()
        except FileNotFoundError:
            now = None
        if digest(now) != digest(change.old):
            stale.append(change.path)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, change.new)
        except OSError as exc:
            failed.append(f"{change.path}: not written: {exc.strerror or exc}")
    return stale, failed
