"""The rule catalogue: one module per rule, named after its id (``grace-vs-heartbeat`` →
``grace_vs_heartbeat.py``). A module's docstring is the rule's documentation; ``ID``,
``SEVERITY`` and ``SUMMARY`` describe it; ``check(ctx)`` yields findings.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

RULE_MODULES: tuple[str, ...] = (
    "yaml_load",
    "kube_version",
    "duration_format",
    "seconds_format",
    "value_type",
    "removed_setting",
    "duplicate_setting",
    "misplaced_setting",
    "unknown_setting",
    "grace_vs_heartbeat",
    "grace_vs_http2",
    "monitor_period",
    "startup_grace",
    "report_frequency",
    "heartbeat_load",
    "eviction_rate",
    "toleration_zero",
    "control_plane_drift",
    "profile_drift",
    "unresolved_value",
    "deployed_drift",
)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    summary: str
    doc: str
    help_uri: str | None = None


@cache
def modules() -> tuple[Any, ...]:
    """The rule modules: each has ID, SEVERITY, SUMMARY, a docstring and ``check(ctx)``."""
    loaded: list[ModuleType] = [
        importlib.import_module(f"{__name__}.{name}") for name in RULE_MODULES
    ]
    return tuple(loaded)


def catalogue() -> list[RuleInfo]:
    return [
        RuleInfo(m.ID, m.SEVERITY, m.SUMMARY, (m.__doc__ or "").strip() + _sources(m.ID))
        for m in modules()
    ]


def _sources(rule_id: str) -> str:
    """The rule's thresholds with their origin and source (data/kubernetes.yml ``thresholds``)."""
    from node_timing import knowledge

    lines = [
        f"- {name.partition('.')[2]}: {fact['value']} {fact['unit']} ({fact['origin']}): {fact['source']}"
        for name, fact in knowledge.kubernetes()["thresholds"].items()
        if name.partition(".")[0] == rule_id
    ]
    return "\n\n**Threshold sources**\n\n" + "\n".join(lines) if lines else ""


def ids() -> list[str]:
    return [m.ID for m in modules()]


def by_id(rule_id: str) -> RuleInfo | None:
    for info in catalogue():
        if info.id == rule_id:
            return info
    return None
