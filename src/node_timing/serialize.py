"""Writing results as JSON and YAML. No knowledge of rules or settings."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from node_timing.display import escape_surrogates

_HIDDEN = re.compile(
    r"[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060\u2066-\u2069\ufeff]"
)


def to_json(data: Any, indent: int | None = 2, default: Callable[[Any], Any] | None = None) -> str:
    """JSON text that is valid UTF-8 whatever the data holds.

    A file name read from disk keeps the bytes that are not UTF-8 as lone surrogates
    (``surrogateescape``); written as they are, they make the document unencodable or not UTF-8.
    They can only occur inside strings, so each becomes the text ``\\xNN`` (its byte), the
    representation every output format uses (see ``printable``). Bidirectional and zero-width
    characters are written as ``\\uXXXX`` escapes.
    """
    import json

    text = json.dumps(data, indent=indent, ensure_ascii=False, default=default) + "\n"
    # Bidirectional and zero-width characters as JSON escapes: the value is the same, but a
    # reader of the document sees where they are (display.py says which and why).
    text = _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    # An escaped backslash and the hex digits: inside the JSON string this reads as \xNN.
    return escape_surrogates(text, backslash="\\\\")


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
