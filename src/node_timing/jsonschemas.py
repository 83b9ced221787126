"""The JSON Schemas shipped in the package (``node_timing/schemas/*.json``, draft 2020-12).

The canonical files live inside the package so that ``pip install`` carries them; the repository's
top-level ``schemas`` is a symlink to that directory for editors (yaml-language-server) and docs.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

NAMES = (
    "role-inputs",
    "kubespray-timing-vars",
    "kubelet-timing",
    "kubeadm-extra-args",
    "lint-config",
)


@cache
def load(name: str) -> dict[str, Any]:
    """The schema ``name`` (one of :data:`NAMES`) as a dict."""
    if name not in NAMES:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(NAMES)}")
    text = resources.files("node_timing").joinpath("schemas", f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validation_errors(name: str, instance: Any) -> list[Any]:
    """jsonschema's errors of ``instance`` against schema ``name``, in path order (each has
    ``absolute_path``, ``validator`` and ``message``)."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    validator = Draft202012Validator(load(name))
    return sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])


def errors(name: str, instance: Any) -> list[str]:
    """Validation messages of ``instance`` against schema ``name``, ``path: message`` each."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validation_errors(name, instance)
    ]
