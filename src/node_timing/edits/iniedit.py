"""Line-wise edits of an INI inventory: inline host variables and ``[group:vars]`` entries.

Only the ``key=value`` token being changed is rewritten; every other byte of the file, comments
and spacing included, stays as it was. Values are written so that Ansible's INI parser
(``shlex`` on host lines, Python-literal typing) reads back exactly the intended value, which the
caller checks by parsing the result again.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

from node_timing.edits.yamledit import EditError, TextEdit, apply_edits
from node_timing.inventory.ini import parse_value

_SECTION = re.compile(r"^\s*\[([^\]]+)\]")


@dataclass(frozen=True)
class Token:
    line: int  # 0-based
    start: int  # offset of ``key`` in the line
    value_start: int
    value_end: int
    host_line: bool


class IniText:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[TextEdit] = []
        self._offsets = [0]
        for line in self.lines:
            self._offsets.append(self._offsets[-1] + len(line))

    def _section(self, line: int) -> str:
        for i in range(line, -1, -1):
            m = _SECTION.match(self.lines[i])
            if m:
                return m.group(1)
        return "ungrouped"

    def token(self, line: int, key: str) -> Token:
        """The ``key=value`` of variable ``key`` on 1-based ``line``."""
        if not 0 < line <= len(self.lines):
            raise EditError(f"{key} not found on line {line}")
        raw = self.lines[line - 1].rstrip("\r\n")
        section = self._section(line - 1)
        if section.endswith(":vars"):
            k, sep, _rest = raw.partition("=")
            if not sep or k.strip() != key:
                raise EditError(f"{key} not found on line {line}")
            start = len(raw) - len(raw.lstrip())
            vstart = len(k) + 1
            while vstart < len(raw) and raw[vstart] in " \t":
                vstart += 1
            return Token(line - 1, start, vstart, len(raw.rstrip()), False)
        matches = [m.start() for m in re.finditer(rf"(?:(?<=\s)){re.escape(key)}=", raw)]
        if len(matches) != 1:
            raise EditError(f"{key} not found once on line {line}")
        start = matches[0]
        vstart = start + len(key) + 1
        i = vstart
        quote: str | None = None
        while i < len(raw):
            ch = raw[i]
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"":
                quote = ch
            elif ch.isspace():
                break
            i += 1
        if quote:
            raise EditError(f"unbalanced quote in {key} on line {line}")
        return Token(line - 1, start, vstart, i, True)

    def _at(self, token: Token, column: int) -> int:
        return self._offsets[token.line] + column

    def set_value(self, token: Token, value: Any) -> None:
        text = value_text(value, token.host_line)
        self.edits.append(
            TextEdit(self._at(token, token.value_start), self._at(token, token.value_end), text)
        )

    def delete(self, token: Token) -> None:
        if not token.host_line:
            start = self._offsets[token.line]
            self.edits.append(TextEdit(start, self._offsets[token.line + 1], ""))
            return
        raw = self.lines[token.line]
        begin = token.start
        while begin > 0 and raw[begin - 1] in " \t":
            begin -= 1
        self.edits.append(TextEdit(self._at(token, begin), self._at(token, token.value_end), ""))

    def insert_after(self, token: Token, key: str, value: Any) -> None:
        text = value_text(value, token.host_line)
        if token.host_line:
            at = self._at(token, token.value_end)
            self.edits.append(TextEdit(at, at, f" {key}={text}"))
            return
        at = self._offsets[token.line + 1]
        prefix = "" if self.lines[token.line].endswith("\n") else self.newline
        self.edits.append(TextEdit(at, at, f"{prefix}{key}={text}{self.newline}"))

    def result(self) -> str:
        return apply_edits(self.text, self.edits)


def literal(value: Any) -> str:
    """A Python literal that Ansible's INI typing reads back as ``value``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    return json.dumps(str(value), ensure_ascii=True)


def value_text(value: Any, host_line: bool) -> str:
    """The text after ``key=`` that reads back as ``value``."""
    candidates = []
    if isinstance(value, str):
        candidates.append(value)
    candidates.append(literal(value))
    for text in candidates:
        token = text
        if host_line:
            if any(c.isspace() or c in "'\"\\#" for c in text):
                if "'" in text:
                    continue
                token = f"'{text}'"
            try:
                (word,) = shlex.split(f"k={token}", comments=True)
            except ValueError:
                continue
            read = parse_value(word[2:])
        else:
            read = parse_value(text)
        if read == value and type(read) is type(value):
            return token
    raise EditError(f"cannot write {value!r} in an INI inventory")
