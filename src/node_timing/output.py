"""Writing results: JSON, YAML and human-friendly numbers. No knowledge of rules or settings."""

from __future__ import annotations

import sys
from typing import Any

import yaml


def to_json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class _Dumper(yaml.SafeDumper):
    """Block style, keys in insertion order, strings quoted only where YAML needs it."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def to_yaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
    )


def write(text: str) -> None:
    sys.stdout.write(text)


def human_bytes(n: float) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover


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
