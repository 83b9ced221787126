"""The rule catalogue: one module per rule, named after its id (``grace-vs-heartbeat`` →
``grace_vs_heartbeat.py``), holding all there is to the rule:

- ``ID``, ``SUMMARY`` and ``SEVERITY``: its default severity, which the runner gives every finding
  the rule does not grade itself (a rule that emits a second severity passes ``severity=``);
- ``check(ctx)``: yields its findings;
- ``repair(plan, finding)``, for a rule whose findings can be fixable: the edits (``fix.plan.Op``)
  that repair one finding, planned with the ``fix.plan.Planner`` it is given;
- its docstring, the rule's documentation (``node-timing rules ID``): the summary line
  ``id: ...``, why it matters, then ``**Fails**`` and ``**Passes**`` (``**Reported**`` and
  ``**Not reported**`` for an info rule), each followed by one or more ```` ```yaml ```` examples,
  and ``**Fix.**``. Each example is one vars file of an inventory with control-plane hosts
  cp1-cp3 and nodes node1-node3; it goes to ``group_vars/k8s_cluster/k8s-cluster.yml`` unless its
  first line is a comment naming another file (``# host_vars/cp2.yml``). A test lints every
  example: a Fails example must produce the rule's finding, a Passes example must not.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from node_timing.findings import Finding
    from node_timing.fix.plan import Op, Planner
    from node_timing.thresholds import Thresholds

    Repair = Callable[[Planner, Finding], list[Op]]

RULE_MODULES: tuple[str, ...] = (
    "yaml_load",
    "kube_version",
    "duration_format",
    "seconds_format",
    "value_type",
    "removed_setting",
    "duplicate_setting",
    "misplaced_setting",
    "kubelet_flag",
    "unknown_setting",
    "grace_vs_heartbeat",
    "grace_vs_http2",
    "monitor_period",
    "startup_grace",
    "report_frequency",
    "heartbeat_load",
    "heartbeat_deadline",
    "slow_status",
    "eviction_rate",
    "toleration_zero",
    "toleration_disabled",
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


def catalogue(thresholds: Thresholds | None = None) -> list[RuleInfo]:
    """Every rule; ``thresholds`` (a configuration's) adds the values it sets to the docs."""
    return [
        RuleInfo(
            m.ID, m.SEVERITY, m.SUMMARY, (m.__doc__ or "").strip() + _sources(m.ID, thresholds)
        )
        for m in modules()
    ]


def _sources(rule_id: str, configured: Thresholds | None = None) -> str:
    """The rule's thresholds: default, origin and source (data/kubernetes.yml ``thresholds``),
    whether .node-timing.yml may move it, and the value ``configured`` sets."""
    from node_timing import thresholds

    lines = []
    for t in thresholds.of_rule(rule_id):
        line = f"- `{t.name}`: default {t.value:g} {t.unit}; origin {t.origin}: {t.source}. "
        if not t.configurable:
            line += "Not configurable: it is what Kubernetes does."
        else:
            line += (
                f"Configurable under `thresholds:` in .node-timing.yml "
                f"(`{t.name}: N`, N {t.domain()})"
            )
            if configured is not None and configured.is_configured(t.name):
                line += f"; configured: {configured.value(t.name):g} in {configured.file}"
            line += "."
        lines.append(line)
    return "\n\n**Thresholds**\n\n" + "\n".join(lines) if lines else ""


def ids() -> list[str]:
    return [m.ID for m in modules()]


@cache
def _repairs() -> dict[str, Repair]:
    return {m.ID: m.repair for m in modules() if hasattr(m, "repair")}


def repair_for(rule_id: str) -> Repair | None:
    """The repair of rule ``rule_id`` (its module's ``repair``), None for a rule without one."""
    return _repairs().get(rule_id)


def by_id(rule_id: str, thresholds: Thresholds | None = None) -> RuleInfo | None:
    for info in catalogue(thresholds):
        if info.id == rule_id:
            return info
    return None
