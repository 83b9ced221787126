"""The rules: one module per rule, named after its id with ``_`` for ``-``.

Each module has ``ID`` (kebab-case, the public contract), ``SEVERITY`` (the default severity),
``SUMMARY`` (one line) and a docstring that is the rule's full documentation in markdown.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from node_timing.findings import Severity

RULE_MODULES: tuple[str, ...] = (
    "yaml_load",
    "grace_vs_heartbeat",
)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity
    summary: str
    doc: str
    help_uri: str | None = None


def catalogue() -> list[RuleInfo]:
    """Every rule's id, default severity and documentation, in ``RULE_MODULES`` order."""
    infos = []
    for name in RULE_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        infos.append(
            RuleInfo(
                id=module.ID,
                severity=module.SEVERITY,
                summary=module.SUMMARY,
                doc=inspect.cleandoc(module.__doc__ or ""),
                help_uri=getattr(module, "HELP_URI", None),
            )
        )
    return infos
