"""Writing results: JSON, YAML and human-friendly numbers. No knowledge of rules or settings."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any


def to_json(data: Any, indent: int | None = 2, default: Callable[[Any], Any] | None = None) -> str:
    """JSON text that is valid UTF-8 whatever the data holds.

    A file name read from disk keeps the bytes that are not UTF-8 as lone surrogates
    (``surrogateescape``); written as they are, they make the document unencodable or not UTF-8.
    They can only occur inside strings, so each becomes the text ``\\xNN`` (its byte), the
    representation every output format uses (see ``printable``).
    """
    import json

    text = json.dumps(data, indent=indent, ensure_ascii=False, default=default) + "\n"
    # An escaped backslash and the hex digits: inside the JSON string this reads as \xNN.
    return _SURROGATE.sub(lambda m: "\\" + _escape(m.group()), text)


@cache
def _dumper() -> Any:
    """Block style, keys in insertion order, strings quoted only where YAML needs it. PyYAML is
    imported here, not with the module: most commands print no YAML."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value)

    Dumper.add_representer(str, represent_str)
    return Dumper


def to_yaml(data: Any) -> str:
    """Block-style YAML. Mappings of plain words, durations, integers and booleans, the usual
    output, are written here exactly as PyYAML would write them (a test holds the two equal), so
    that printing them does not import PyYAML; anything else goes to PyYAML."""
    simple = _simple_yaml(data)
    if simple is not None:
        return simple
    import yaml

    return yaml.dump(
        data, Dumper=_dumper(), sort_keys=False, default_flow_style=False, allow_unicode=True
    )


# Strings PyYAML writes unquoted and reads back as the same string: words that are not YAML 1.1
# booleans or null, and Go durations; numbers kept as strings, which it single-quotes. Anything
# else takes the PyYAML path.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./-]{0,127}\Z")
_DURATION = re.compile(r"(?:[0-9]{1,9}(?:ns|us|ms|s|m|h)){1,6}\Z")
_NUMBER = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})?\Z")
_NOT_PLAIN = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})


def _plain_text(value: object) -> str | None:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is str:
        if _DURATION.match(value):
            return value
        if _NUMBER.match(value):
            return f"'{value}'"
        if _WORD.match(value) and value.lower() not in _NOT_PLAIN:
            return value
    return None


def _simple_yaml(data: Any, indent: str = "") -> str | None:
    if type(data) is not dict:
        return None
    if not data:
        return "{}\n" if not indent else None
    lines = []
    for key, value in data.items():
        name = _plain_text(key) if type(key) is str else None
        if name is None:
            return None
        if type(value) is dict:
            if not value:
                lines.append(f"{indent}{name}: {{}}\n")
                continue
            nested = _simple_yaml(value, indent + "  ")
            if nested is None:
                return None
            lines.append(f"{indent}{name}:\n{nested}")
            continue
        text = _plain_text(value)
        if text is None:
            return None
        lines.append(f"{indent}{name}: {text}\n")
    return "".join(lines)


def write(text: str) -> None:
    sys.stdout.write(text)


def human_bytes(n: float) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover


# What a value, host name or path quoted in a line of output must not carry raw:
# - C0 controls, DEL and C1 controls: line ends (LF, CR, VT, FF, NEL), ESC that starts terminal
#   sequences (colours, cursor moves, window titles), NUL and BEL;
# - U+2028/U+2029, which Python's ``str.splitlines`` and some viewers take for line ends;
# - lone surrogates, the bytes of a file name that are not UTF-8 (``surrogateescape``), which
#   stdout cannot encode;
# - ``##[`` and ``##vso[``: GitHub's runner still reads its legacy commands (``##[error]x``,
#   ``##[stop-commands]token``) anywhere in a line, and the Azure Pipelines agent its logging
#   commands (``##vso[...]``); only the ``::`` commands must start the line.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|##(?:vso)?\[", re.IGNORECASE)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    """The visible form of one unsafe character (or of ``##[``, ``##vso[``)."""
    if len(char) > 1:  # ##[ or ##vso[ : the bracket spelled out keeps runners from matching
        return char[:-1] + "\\x5b"
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name: show that byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_line_ends: bool = False) -> str:
    """``text`` safe to print within one line of a terminal or a CI log.

    Every character that could end the line, drive the terminal or not encode is written as a
    Python-style escape (``\\n``, ``\\x1b``, ``\\xff`` for an undecodable byte), so an output line
    is always one line the program wrote, starting with what the program put first. Every
    line-oriented output (the text, pep8 and github formats, explain, fix and error lines)
    quotes inventory-derived text through this one function.

    ``keep_line_ends`` leaves LF and CR alone, for a caller that encodes them its own way (the
    github format's ``%0A``).
    """
    if _UNSAFE.search(text) is None:  # the usual case: nothing to copy
        return text
    if keep_line_ends:
        return _UNSAFE.sub(lambda m: m.group() if m.group() in "\r\n" else _escape(m.group()), text)
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def unified_diff(old: str, new: str, fromfile: str, tofile: str) -> str:
    """A unified diff of two texts that prints as one output line per line of the files.

    Lines end at LF only (``str.splitlines`` would also split at CR, VT, FF, NEL and U+2028, so
    one line of the file would become several lines of the diff); each line's content goes
    through ``printable``, and ``::`` that would open it after the diff marker and blanks (GitHub
    reads a workflow command after leading spaces) is written ``\x3a:``. Each line keeps its LF
    or CRLF, so the diff still applies to a CRLF file. The file names must already be printable.
    """
    import difflib

    out: list[str] = []
    for line in difflib.unified_diff(_lf_lines(old), _lf_lines(new), fromfile, tofile):
        body, end = line, ""
        for ending in ("\r\n", "\n"):
            if line.endswith(ending):
                body, end = line[: -len(ending)], ending
                break
        shown = printable(body)
        rest = shown[1:].lstrip(" \t")
        if rest.startswith("::"):
            at = len(shown) - len(rest)
            shown = shown[:at] + "\\x3a" + shown[at + 1 :]
        out.append(shown + (end or "\n\\ No newline at end of file\n"))
    return "".join(out)


def _lf_lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def display_path(path: str) -> str:
    """A path relative to the working directory when it is below it, as linters print paths."""
    import os

    if not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path, os.getcwd())
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel
