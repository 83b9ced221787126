"""Ansible's INI inventory format (ansible-core's ``ini`` plugin semantics), with positions.

The parser emits operations (add group, add host, set var, add child) instead of touching the
inventory, so that a file with an error contributes nothing, as in Ansible.
"""

from __future__ import annotations

import ast
import re
import shlex
import string
import warnings
from collections.abc import Sequence
from typing import Any

from node_timing.display import brief
from node_timing.inventory.model import Value
from node_timing.inventory.yamlpos import is_templated, parse_noqa

Op = tuple[Any, ...]

_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUPNAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
_BRACKETED_HOSTPORT = re.compile(r"^\[(.+)\]:([0-9]+)$")
_HOSTPORT = re.compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$")
_RANGE = r"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"
_LABEL = rf"(?:\w|{_RANGE})(?:[\w-]|{_RANGE})*(?<![_-])"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$", re.I)
_IPV4_PART = r"(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\[[0-9]+:[0-9]+(?::[0-9]+)?\])"
_IPV4 = re.compile(rf"^(?:{_IPV4_PART}\.){{3}}{_IPV4_PART}$")
_IPV6ISH = re.compile(r"^[0-9a-f:.\[\]]+$", re.I)


class ParseError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


_LITERAL_START = frozenset("0123456789+-.'\"[{(")
_DOTTED_NUMBERS = re.compile(r"^\d+\.\d+\.")  # IPs and versions: never a literal


def parse_value(text: str) -> Any:
    """Python-literal typing of INI values (``True`` → bool, ``5`` → int, else the string)."""
    if not text or (text[0] not in _LITERAL_START and text not in ("True", "False", "None")):
        return text  # a bare word is a Name to literal_eval: it stays a string
    if _DOTTED_NUMBERS.match(text):
        return text
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _valid_host(address: str) -> bool:
    return bool(
        _IPV4.match(address)
        or _HOSTNAME.match(address)
        or (":" in address and _IPV6ISH.match(address))
    )


def split_port(pattern: str) -> tuple[str, int | None]:
    """Separate an optional ``:port``; patterns Ansible does not recognise stay whole."""
    address, port = pattern, None
    for rx in (_BRACKETED_HOSTPORT, _HOSTPORT):
        m = rx.match(address)
        if m:
            if len(m.group(2)) > _MAX_BOUND_DIGITS:  # no port; and int() refuses 4,300 digits
                raise ValueError(f"port {brief(m.group(2))} is out of range")
            address, port = m.group(1), int(m.group(2))
    if not _valid_host(address):
        return pattern, None
    return address, port


# Hosts one pattern may name (``node[1:100000]``), counted from the ranges before any name is
# made: ``node[1:10000000]`` took 2 GB and a 32-digit range end exhausted memory. Twenty times
# Kubernetes' largest tested cluster (5,000 nodes); a real inventory names a few thousand.
MAX_HOSTS_PER_PATTERN = 100_000
# Entries (hosts, their variables, groups) one inventory file may make: ten patterns of 100,000
# hosts each took 39 s and 410 MB. A 10,000-host inventory with two variables per host makes
# 30,000.
MAX_ENTRIES_PER_FILE = 500_000
# Digits of a range bound: more can only name more hosts than the limit (and Python refuses to
# read integers above 4,300 digits at all).
_MAX_BOUND_DIGITS = 18


def _first_range(pattern: str) -> tuple[str, Sequence[str] | range, int, str]:
    """The text before the first ``[range]``, what the range stands for (letters, or numbers
    to pad to a width), the width, and the text after it, as ansible-core's
    ``expand_hostname_range`` reads them. Nothing is expanded."""
    head, _, rest = pattern.partition("[")
    nrange, sep, tail = rest.partition("]")
    if not sep:
        raise ValueError(f"unterminated host range in {brief(pattern)}")
    bounds = nrange.split(":")
    if len(bounds) not in (2, 3):
        raise ValueError("host range must be begin:end or begin:end:step")
    beg, end = bounds[0] or "0", bounds[1]
    if any(len(b) > _MAX_BOUND_DIGITS for b in bounds):
        raise ValueError(
            f"a host range bound has more than {_MAX_BOUND_DIGITS} digits "
            f"(at most {MAX_HOSTS_PER_PATTERN:,} hosts per pattern)"
        )
    step = int(bounds[2]) if len(bounds) == 3 else 1
    if not end:
        raise ValueError("host range must specify end value")
    width = 0
    if beg[0] == "0" and len(beg) > 1:
        width = len(beg)
        if width != len(end):
            raise ValueError("host range must specify equal-length begin and end formats")
    letters = string.ascii_letters
    if beg in letters and end in letters and len(beg) == 1 and len(end) == 1:
        i, j = letters.index(beg), letters.index(end)
        if i > j:
            raise ValueError("host range must have begin <= end")
        return head, letters[i : j + 1 : step], 0, tail
    return head, range(int(beg), int(end) + 1, step), width, tail


def count_hosts(pattern: str) -> int:
    """How many names ``pattern`` expands to (the product of its range sizes), without making
    them; raises ValueError for a range ``expand_range`` would refuse."""
    total = 1
    rest = pattern
    while "[" in rest and total:
        _, seq, _, rest = _first_range(rest)
        total *= len(seq)
        if total > MAX_HOSTS_PER_PATTERN:
            break  # more ranges cannot bring it back under
    return total


def expand_range(pattern: str) -> list[str]:
    """Expand ``node[01:10]``, ``db[a:f]``, ``x[1:9:2]`` (several ranges allowed)."""
    if "[" not in pattern:
        return [pattern]
    head, seq, width, tail = _first_range(pattern)
    out: list[str] = []
    for part in seq:
        out.extend(expand_range(f"{head}{str(part).zfill(width)}{tail}"))
    return out


def too_many_entries() -> str:
    return (
        f"more than {MAX_ENTRIES_PER_FILE:,} hosts, host variables and groups in one file, "
        "the most one inventory file may make here"
    )


def expand_hostpattern(pattern: str) -> tuple[list[str], int | None]:
    """Host names and port of an inventory host pattern; ValueError when it is invalid or would
    name more than MAX_HOSTS_PER_PATTERN hosts (checked before any name is made)."""
    try:
        host, port = split_port(pattern)
        count = count_hosts(host)
        if count > MAX_HOSTS_PER_PATTERN:
            raise ValueError(
                f"expands to more than {MAX_HOSTS_PER_PATTERN:,} hosts, the most one pattern "
                "may name here"
            )
        names = expand_range(host)
    except (ValueError, IndexError) as exc:
        raise ValueError(str(exc)) from None
    return names, port


def _decode_lines(raw: bytes) -> list[str]:
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        lines: list[str] = []
        for n, bline in enumerate(raw.splitlines(), 1):
            if bline[:1] in (b"#", b";"):
                lines.append("")
                continue
            try:
                lines.append(bline.decode("utf-8"))
            except UnicodeDecodeError:
                raise ParseError(n, "line is not valid UTF-8") from None
        return lines


def parse_ini(path: str, raw: bytes, known_groups: set[str]) -> list[Op]:
    """Parse an INI inventory into operations. Raises ParseError with the line of the problem."""
    lines = _decode_lines(raw)
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    ops: list[Op] = []
    groups = set(known_groups)
    pending: dict[str, dict[str, Any]] = {}
    group, state = "ungrouped", "hosts"

    def add_child(parent: str, child: str) -> None:
        ops.append(("child", parent, child))

    def resolve(first: str) -> None:
        # Depth-first like ansible's recursion, but with an explicit stack: a long chain of
        # [a:children] sections must not hit the recursion limit, and a cycle must end.
        active = {first}
        stack = [(first, iter(list(pending[first]["parents"])))]
        while stack:
            name, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                pending.pop(name, None)
                continue
            add_child(parent, name)
            if (
                parent in pending
                and pending[parent]["state"] == "children"
                and parent not in active
            ):
                active.add(parent)
                stack.append((parent, iter(list(pending[parent]["parents"]))))

    for lineno, raw_line in enumerate(lines, 1):
        line = raw_line.strip()
        if not line or line[0] in "#;":
            continue
        m = _SECTION.match(line)
        if m:
            # kept as written: ansible-core replaces nothing in a group name unless
            # TRANSFORM_INVALID_GROUP_CHARS asks (its default is "never"), so the section
            # [kube-master] and the child kube-master of [k8s-cluster:children] are one group
            group = m.group(1)
            state = m.group(2) or "hosts"
            if state not in ("hosts", "children", "vars"):
                raise ParseError(
                    lineno, f"section [{m.group(1)}:{state}] has unknown type: {state}"
                )
            if group not in groups:
                if state == "vars" and group not in pending:
                    pending[group] = {"line": lineno, "state": "vars", "parents": []}
                groups.add(group)
                ops.append(("group", group))
            if group in pending and state != "vars":
                if pending[group]["state"] == "children":
                    resolve(group)
                else:
                    del pending[group]
            continue
        if line.startswith("[") and line.endswith("]"):
            raise ParseError(lineno, f"invalid section entry: {line!r}")
        indent = len(raw_line) - len(raw_line.lstrip())
        if state == "hosts":
            _host_line(path, raw_line, line, lineno, indent, group, ops)
            if len(ops) > MAX_ENTRIES_PER_FILE:
                raise ParseError(lineno, too_many_entries())
        elif state == "vars":
            if "=" not in line:
                raise ParseError(lineno, f"expected key=value, got: {line}")
            key, _, text = line.partition("=")
            key, text = key.strip(), text.strip()
            vcol = raw_line.index("=", indent) + 2
            while vcol <= len(raw_line) and raw_line[vcol - 1] in " \t":
                vcol += 1
            value = parse_value(text)
            ops.append(("gvar", group, key, _value(value, path, lineno, vcol, raw_line, group)))
        else:
            gm = _GROUPNAME.match(line)
            if not gm:
                raise ParseError(lineno, f"expected group name, got: {line}")
            child = gm.group(1)
            if child not in groups:
                pending.setdefault(child, {"line": lineno, "state": "children", "parents": []})
                pending[child]["parents"].append(group)
            else:
                add_child(group, child)
    for name, decl in pending.items():
        if decl["state"] == "vars":
            raise ParseError(decl["line"], f"section [{name}:vars] not valid for undefined group")
        raise ParseError(
            decl["line"],
            f"section [{decl['parents'][-1]}:children] includes undefined group: {name}",
        )
    return ops


def _value(value: Any, path: str, line: int, col: int, raw: str, group: str | None) -> Value:
    return Value(
        value=value,
        path=path,
        line=line,
        column=col,
        source_kind="inventory",
        group=group,
        noqa=parse_noqa(raw),
        templated=is_templated(value),
    )


def _host_line(
    path: str, raw: str, line: str, lineno: int, indent: int, group: str, ops: list[Op]
) -> None:
    try:
        if "'" in line or '"' in line or "\\" in line:
            tokens = shlex.split(line, comments=True)
        else:  # same result as shlex for unquoted text, much faster
            tokens = line.split("#", 1)[0].split()
    except ValueError as exc:
        raise ParseError(lineno, f"error parsing host definition {line!r}: {exc}") from None
    if not tokens:
        return
    pattern = tokens[0]
    try:
        names, port = expand_hostpattern(pattern)
    except ValueError as exc:
        raise ParseError(lineno, f"invalid host pattern {brief(pattern)}: {exc}") from None
    if pattern.strip().endswith(":") and port is None:
        raise ParseError(
            lineno, f"invalid host pattern {brief(pattern)}: ending in ':' is not allowed"
        )
    if any(n.strip() == "---" for n in names):
        raise ParseError(lineno, "'---' is a sign this is a YAML file")
    cursor = indent + len(pattern)
    variables: list[tuple[str, Value]] = []
    for token in tokens[1:]:
        if "=" not in token:
            raise ParseError(lineno, f"expected key=value host variable assignment, got: {token}")
        key, _, text = token.partition("=")
        found = raw.find(key + "=", cursor)
        col = found + 1 if found >= 0 else indent + 1
        if found >= 0:
            cursor = found + len(key) + 1
        variables.append((key, _value(parse_value(text), path, lineno, col, raw, None)))
    for name in names:
        ops.append(("host", name, group, port, path, lineno, indent + 1))
        for key, value in variables:
            ops.append(("hvar", name, key, value))
