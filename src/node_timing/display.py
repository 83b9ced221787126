"""Text for people: a value as messages show it, text safe within one output line, diffs, paths
and sizes.

A finding quotes the value it is about. A value from a hostile or careless inventory can be a
list of a million items or a string of megabytes; ``reprlib`` stops after a few items and levels
instead of building the whole text first, so a message costs the same whatever the value.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
for _name in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _name, 6)


def brief(value: Any) -> str:
    """``repr(value)`` for short values; a shortened form with ``...`` for long or deep ones."""
    return _REPR.repr(value)


_KINDS = (
    (dict, "mapping"),
    (list | tuple, "list"),
    (set | frozenset, "set"),
    (bytes | bytearray, "binary value"),
)


def typed(value: Any) -> str:
    """``brief(value)`` with what the value is in front when it is no plain scalar (a YAML
    ``!!set``, ``!!binary``, ``!!timestamp``, a mapping or a list): ``set {'a'}``."""
    if value is None or isinstance(value, bool | int | float | str):
        return brief(value)
    kind = next((name for types, name in _KINDS if isinstance(value, types)), None)
    return f"{kind or type(value).__name__} {brief(value)}"


def cut(text: str, limit: int = _REPR.maxstring) -> str:
    """``text`` itself when short; else its start and end around ``...``, ``limit`` characters
    in all. For text a message embeds in its own quotes (a Go error, a template, a reason),
    where ``brief``'s ``repr`` quoting would be wrong."""
    if len(text) <= limit:
        return text
    head = (limit - 3) // 2
    tail = limit - 3 - head
    return f"{text[:head]}...{text[len(text) - tail :]}"


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
# - bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which
#   reorder what a reader sees (Trojan Source, CVE-2021-42574), and zero-width characters
#   (U+180E, U+200B-U+200D, U+2060, U+FEFF), which make two different names look the same;
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
    r"\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]|##(?:vso)?\[",
    re.IGNORECASE,
)
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


def escape_surrogates(text: str, backslash: str = "\\") -> str:
    """``text`` with each lone surrogate (an undecodable byte of a file name) written as
    ``backslash`` followed by ``xNN``: JSON text passes an escaped backslash."""
    return _SURROGATE.sub(lambda m: backslash + _escape(m.group())[1:], text)


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
