"""``node-timing fix``: repair an inventory's findings that have one unambiguous repair.

Nothing is copied: each pass loads the inventory through an in-memory overlay of the files edited
so far (``load_inventory(overlay=...)``), lints it, plans edits from the fixable findings
(``plan.py``), applies them as minimal text edits (``yamledit.py``, ``iniedit.py``) to the bytes
of the files concerned, and checks by parsing the edited text again that it means exactly what
was intended. Only the files an edit touches are read (regular files only, never a FIFO or a
device). Passes repeat until nothing is left to fix (one repair can reveal another), so a second
run finds nothing to do. Only then are the changed files written (``write_back``), each
atomically, inside the project root, and only if it has not changed on disk since it was read.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import signal
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node_timing.findings import Finding
from node_timing.fix.plan import Op, Planner, default_vars_file, resolve_conflicts
from node_timing.fix.yamledit import EditError
from node_timing.render.write import (
    UnsafePathError,
    atomic_write,
    check_target,
    make_dirs,
    read_regular,
)

MAX_PASSES = 4
NEW_FILE_HEADER = "---\n# Node-health timing settings added by `node-timing fix`.\n"
YAML_EXTS = (".yml", ".yaml")


@dataclass
class FileChange:
    path: str  # the real path of the file changed (a symlink inside the root is resolved)
    old: bytes | None  # None: a new file
    new: bytes
    rules: set[str] = field(default_factory=set)


@dataclass
class FixResult:
    changes: list[FileChange]
    remaining: list[Finding]  # findings after fixing
    skipped: list[str]  # repairs that could not be made safely, one line each
    root: str = ""  # the project root every write stays inside


class Edits:
    """The files fix has edited so far, in memory, keyed by real path: the loader's overlay."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.new: dict[str, bytes] = {}  # the overlay: edited (or created) files
        self.old: dict[str, bytes | None] = {}  # as read from disk; None: no such file
        self.rules: dict[str, set[str]] = {}

    def read(self, real: str) -> bytes | None:
        """The file's current bytes: edited ones, else read once from disk (None: absent)."""
        if real in self.new:
            return self.new[real]
        if real not in self.old:
            self.old[real] = read_regular(real)
        return self.old[real]

    def changes(self) -> list[FileChange]:
        return sorted(
            (
                FileChange(path, self.old.get(path), data, self.rules.get(path, set()))
                for path, data in self.new.items()
                if data != self.old.get(path)
            ),
            key=lambda c: c.path,
        )


def _kind(path: str, data: bytes) -> str:
    ext = os.path.splitext(path)[1]
    if ext in YAML_EXTS:
        return "yaml"
    if ext == ".json":
        return "json"
    if ext == ".ini":
        return "ini"
    import yaml

    from node_timing.inventory.yamlpos import parse_yaml

    doc, _ = parse_yaml(path, data[:4096].decode("utf-8", "replace"))
    return "yaml" if doc is not None and isinstance(doc.root, yaml.MappingNode) else "ini"


def apply_ops(
    path: str, ops: list[Op], edits: Edits, groups: Collection[str] = ()
) -> tuple[bool, list[str]]:
    """Apply ``ops`` to the file at real path ``path`` in ``edits``; returns (changed,
    problems). Nothing changes on a problem. ``groups``: the inventory's groups, which an INI
    file's ``[group:vars]`` may name."""
    try:
        data = edits.read(path)
    except UnsafePathError as exc:
        return False, [f"{exc}; {_describe(ops)} not fixed"]
    except OSError as exc:
        return False, [f"{path}: cannot read: {exc.strerror or exc}; {_describe(ops)} not fixed"]
    exists = data is not None
    kind = _kind(path, data) if data is not None else "yaml"
    if kind == "json":
        return False, [f"{path}: JSON vars files are not edited; {_describe(ops)}"]
    try:
        text = (data or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False, [f"{path}: not UTF-8, not edited"]
    if not exists:
        text = NEW_FILE_HEADER
    try:
        if kind == "ini":
            new_text, problems = _apply_ini(path, text, ops, groups)
        else:
            new_text, problems = _apply_yaml(path, text, ops)
    except EditError as exc:
        return False, [f"{path}: {exc}; {_describe(ops)} left as is"]
    if new_text == text and exists:
        return False, problems
    edits.new[path] = new_text.encode("utf-8")
    return True, problems


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
    path: str, text: str, groups: Collection[str] = ()
) -> tuple[list[Any], dict[tuple[str, str, str], tuple[Any, int]]]:
    from node_timing.inventory.ini import ParseError, parse_ini

    try:
        # `all` and `ungrouped` always exist (the loader starts with them): [all:vars] is valid
        ops = parse_ini(path, text.encode("utf-8"), {"all", "ungrouped", *groups})
    except ParseError as exc:
        raise EditError(f"line {exc.line}: {exc}") from None
    structure = [o[:4] if o[0] == "host" else o for o in ops if o[0] not in ("hvar", "gvar")]
    values = {(o[0], o[1], o[2]): (o[3].value, o[3].line) for o in ops if o[0] in ("hvar", "gvar")}
    return structure, values


def _apply_ini(
    path: str, text: str, ops: list[Op], groups: Collection[str] = ()
) -> tuple[str, list[str]]:
    from node_timing.fix.iniedit import IniText

    ini = IniText(text)
    structure, values = _ini_vars(path, text, groups)
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
    new_structure, new_values = _ini_vars(path, new_text, groups)
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
) -> FixResult:
    """Fix ``inventory`` in memory; the caller writes the changes (``write_back``)."""
    from node_timing.config import apply_silencing, matches
    from node_timing.evaluate.context import build_context
    from node_timing.inventory import load_inventory
    from node_timing.inventory.root import inventory_dir, project_root
    from node_timing.rules.runner import run_rules

    edits = Edits(project_root(inventory))
    skipped: list[str] = []
    findings: list[Finding] = []
    for n in range(MAX_PASSES + 1):
        loaded = load_inventory(inventory, overlay=edits.new)
        default_file = default_vars_file(
            os.path.realpath(loaded.basedir or inventory_dir(inventory))
        )
        ctx = build_context(loaded, options)
        findings = apply_silencing(run_rules(ctx), config)
        if n == MAX_PASSES:
            break
        if loaded.used_ansible:
            # ansible-core reads the files itself: it would not see an edit before it is written,
            # so the edits could not be checked by linting them again.
            skipped.append(f"{inventory}: only ansible-core reads this inventory: not fixed")
            break
        planner = Planner(ctx, default_file)
        planned: list[Op] = []
        if n == 0:
            name = profile or _declared_profile(ctx, findings, rules)
            if name is not None:
                planned.extend(_profile_ops(planner, ctx, name, skipped))
        for f in findings:
            if f.fixable and (rules is None or matches(f.rule, rules)):
                planned.extend(planner.plan(f))
        ops, dropped = resolve_conflicts(_to_real(planned, edits.root, skipped))
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
            did, problems = apply_ops(path, file_ops, edits, loaded.groups)
            skipped.extend(problems)
            if did:
                changed = True
                edits.rules.setdefault(path, set()).update(o.rule for o in file_ops)
        if not changed:
            break
    return FixResult(edits.changes(), findings, list(dict.fromkeys(skipped)), edits.root)


def _to_real(ops: Iterable[Op], root: str, skipped: list[str]) -> list[Op]:
    """Each op on the real file it edits (two symlinked names of one file are one file); an op
    on a file that may not be written (outside the project root, a dangling symlink, not a
    regular file, hard-linked) is dropped with one line saying why."""
    real: dict[str, str | None] = {}
    out: list[Op] = []
    for op in ops:
        if op.file not in real:
            try:
                real[op.file] = str(check_target(root, op.file))
            except UnsafePathError as exc:
                real[op.file] = None
                skipped.append(f"{op.file}: {exc}: not edited")
        target = real[op.file]
        if target is None:
            continue
        out.append(op if target == op.file else dataclasses.replace(op, file=target))
    return out


def _declared_profile(
    ctx: Any, findings: list[Finding], rules: Collection[str] | None
) -> str | None:
    from node_timing.config import matches
    from node_timing.evaluate.sources import plain

    if rules is not None and not matches("profile-drift", rules):
        return None
    if not any(f.rule == "profile-drift" and f.fixable for f in findings):
        return None
    holder = ctx.cluster.variables.get("node_timing_profile")
    return str(plain(holder)) if holder is not None else None


def _profile_ops(planner: Planner, ctx: Any, name: str, skipped: list[str]) -> list[Op]:
    from node_timing import profiles
    from node_timing.evaluate.sources import plain
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


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class WriteReport:
    """What ``write_back`` did, file by file."""

    written: list[FileChange] = field(default_factory=list)
    stale: list[FileChange] = field(default_factory=list)  # changed on disk since read
    failed: list[tuple[FileChange, str]] = field(default_factory=list)  # and why
    interrupted: int | None = None  # the signal that stopped it before the rest


@contextmanager
def deferred_signals() -> Iterator[list[int]]:
    """SIGINT and SIGTERM are noted instead of acted on; the caller stops between two files.

    Installed only around the write-back: a signal while one file is being replaced would
    otherwise leave its temporary file, or stop halfway through the inventory without saying
    which files were already written.
    """
    received: list[int] = []

    def note(signum: int, _frame: object) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with suppress(ValueError):  # not the main thread: signals cannot be caught here
                previous[sig] = signal.signal(sig, note)
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def write_back(changes: list[FileChange], root: str) -> WriteReport:
    """Write every change atomically inside ``root``, one file after the other; a file that
    changed on disk since it was read is left alone. SIGINT/SIGTERM stop it between two files."""
    report = WriteReport()
    with deferred_signals() as received:
        for change in changes:
            if received:
                report.interrupted = received[0]
                break
            try:
                now = read_regular(change.path)
                if digest(now) != digest(change.old):
                    report.stale.append(change)
                    continue
                if change.old is None:
                    make_dirs(root, Path(change.path).parent)
                atomic_write(Path(change.path), change.new, root)
            except UnsafePathError as exc:
                report.failed.append((change, str(exc)))
                continue
            except OSError as exc:
                report.failed.append((change, exc.strerror or str(exc)))
                continue
            report.written.append(change)
        else:
            if received:  # arrived during the last file: every file is written
                report.interrupted = received[0]
    return report
