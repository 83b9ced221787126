"""Apply planned edits to one file's text, and check that the result means what was intended.

The edits are minimal text edits (``node_timing.edits``) to the bytes of the file; the
edited text is parsed again and compared with the expected data, so a file is changed only when
it then means exactly what the edits intended. Only the files an edit touches are read (regular
files only, never a FIFO or a device).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Collection, Iterable
from typing import Any

from node_timing.edits.yamledit import EditError
from node_timing.fix.overlay import Edits
from node_timing.fix.plan import Op
from node_timing.render.write import UnsafePathError

NEW_FILE_HEADER = "---\n# Node-health timing settings added by `node-timing fix`.\n"
YAML_EXTS = (".yml", ".yaml")


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
    from node_timing.edits.yamledit import YamlText

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
    from node_timing.edits.iniedit import IniText

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
