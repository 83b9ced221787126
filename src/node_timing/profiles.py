"""Profiles: named timing choices, sized for the node count and the Kubernetes version.

A profile starts from Kubernetes' defaults for the version (or from what stock kubespray renders),
applies its own values, then the stretching rule (docs/profiles.md) for large clusters (never for
``upstream``: Kubernetes' defaults at every size), then the user's per-setting overrides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from node_timing import durations, knowledge, kubespray
from node_timing.display import brief
from node_timing.knowledge import KubeVersion
from node_timing.settings import INTEGER_MAXIMUM, SettingError, Settings, defaults, parse_value

# The longest renew interval a stretched profile may reach, in nanoseconds: a lease of
# int32 seconds (the kubelet's type), and grace periods that stay Go durations.
_MAX_STRETCHED_NS = INTEGER_MAXIMUM["kubelet.node_lease_duration_seconds"] * durations.SECOND


class ProfileError(ValueError):
    """An unknown profile or an impossible request (negative node count, bad budget)."""


# Kubernetes is tested to 5,000 nodes. A bound far above it keeps every figure a finite float:
# a 400-digit node count cannot even be divided into one.
MAX_NODES = 1_000_000
# No cluster spends more lease writes per second; a larger number only overflows the figures.
MAX_HEARTBEAT_BUDGET = 10**12
# Below one write per thousand seconds the stretched lease and every figure overflow (1e-308
# made the load rule divide into infinity).
MIN_HEARTBEAT_BUDGET = 0.001


def node_count_problem(nodes: object) -> str | None:
    """Why ``nodes`` is not a usable node count (None when it is)."""
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 0:
        return f"node count must be a whole number >= 0, got {brief(nodes)}"
    if nodes > MAX_NODES:
        return f"node count must be at most {MAX_NODES:,}, got {brief(nodes)}"
    return None


def budget_problem(budget: object) -> str | None:
    """Why ``budget`` is not a usable heartbeat budget (None when it is)."""
    if (
        isinstance(budget, bool)
        or not isinstance(budget, int | float)
        or (isinstance(budget, float) and not math.isfinite(budget))
        or not budget > 0
    ):
        return f"heartbeat budget must be a finite number of writes per second > 0, got {brief(budget)}"
    if budget < MIN_HEARTBEAT_BUDGET:
        return f"heartbeat budget must be at least {MIN_HEARTBEAT_BUDGET}, got {brief(budget)}"
    if budget > MAX_HEARTBEAT_BUDGET:  # compared as an int: 400 digits do not fit a float
        return f"heartbeat budget must be at most {MAX_HEARTBEAT_BUDGET:,}, got {brief(budget)}"
    return None


@dataclass(frozen=True)
class Stretch:
    """How a profile was stretched to keep lease writes within the budget."""

    factor: float
    renew_interval_seconds: float
    original_renew_interval_seconds: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "renew_interval_seconds": self.renew_interval_seconds,
            "original_renew_interval_seconds": self.original_renew_interval_seconds,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProfileResult:
    name: str
    nodes: int
    kube_version: KubeVersion
    heartbeat_budget: float
    settings: Settings
    stretch: Stretch | None


def names() -> list[str]:
    return list(knowledge.profiles_data()["profiles"])


def describe(name: str) -> dict[str, Any]:
    try:
        profile: dict[str, Any] = knowledge.profiles_data()["profiles"][name]
    except KeyError:
        raise ProfileError(
            f"unknown profile {name!r}; choose one of: {', '.join(names())}"
        ) from None
    return profile


def base_settings(name: str, version: KubeVersion) -> Settings:
    """The profile's settings before stretching and overrides."""
    profile = describe(name)
    settings = defaults(version)
    if profile["from"] == "kubespray":
        settings = settings.with_values(kubespray.default_settings_values())
    values = {path: parse_value(path, v) for path, v in (profile.get("values") or {}).items()}
    return settings.with_values(values)


def stretch_for_nodes(
    settings: Settings, nodes: int, budget: float
) -> tuple[Settings, Stretch | None]:
    """Stretch R (and grace, startup grace) when ``nodes / R`` would exceed ``budget`` writes/s."""
    renew = settings.kubelet.renew_interval
    if nodes == 0 or nodes * durations.SECOND <= budget * renew:
        return settings, None
    needed = nodes / budget  # seconds between renewals; a tiny budget makes it huge or infinite
    fraction = knowledge.constraint("lease_renew_fraction")
    limit = INTEGER_MAXIMUM["kubelet.node_lease_duration_seconds"]
    if not needed * durations.SECOND <= _MAX_STRETCHED_NS * fraction:
        raise ProfileError(
            f"{nodes} nodes within a heartbeat budget of {budget:g} writes/s would renew their "
            f"leases every {_seconds(needed)}: longer than the kubelet's lease ({limit:,}s at most) or a "
            f"Go duration can hold; raise the budget"
        )
    new_renew_s = math.ceil(needed)
    new_renew = new_renew_s * durations.SECOND
    if new_renew <= renew:  # pragma: no cover - guarded by the test above
        return settings, None
    factor = new_renew / renew
    lease = round(new_renew_s / fraction)
    cm = settings.controller_manager

    def stretched(ns: int) -> int:
        return math.ceil(ns * factor / durations.SECOND) * durations.SECOND

    values = {
        "kubelet.node_lease_duration_seconds": lease,
        "controller_manager.node_monitor_grace_period": stretched(cm.node_monitor_grace_period),
        "controller_manager.node_startup_grace_period": stretched(cm.node_startup_grace_period),
    }
    if lease > limit or max(values.values()) > durations.MAX_SECONDS * durations.SECOND:
        raise ProfileError(
            f"{nodes} nodes within a heartbeat budget of {budget:g} writes/s would need a lease of "
            f"{lease:,}s and grace periods beyond what the kubelet ({limit:,}s) or a Go duration "
            f"can hold; raise the budget"
        )
    new = settings.with_values(values)
    old_s = renew / durations.SECOND
    reason = (
        f"{nodes} nodes renewing every {old_s:g}s make {nodes / old_s:g} lease writes/s, over the "
        f"budget of {budget:g}/s: the renew interval becomes {new_renew_s}s (lease {lease}) and the "
        f"grace periods grow by the same factor ({factor:g}) to keep the heartbeats per grace period"
    )
    return new, Stretch(factor, float(new_renew_s), old_s, reason)


def _seconds(value: float) -> str:
    return f"{value:g}s" if math.isfinite(value) else "more seconds than a float holds"


def parse_overrides(items: dict[str, Any]) -> dict[str, Any]:
    """``{"component.setting": raw}`` → parsed values; raises SettingError naming the bad one."""
    return {path: parse_value(path, raw, writing=True) for path, raw in items.items()}


def compute(
    name: str,
    nodes: int,
    kube_version: object | None = None,
    overrides: dict[str, Any] | None = None,
    heartbeat_budget: float | None = None,
) -> ProfileResult:
    """Settings for profile ``name`` on ``nodes`` nodes of Kubernetes ``kube_version``."""
    problem = node_count_problem(nodes)
    budget = knowledge.default_heartbeat_budget() if heartbeat_budget is None else heartbeat_budget
    problem = problem or budget_problem(budget)
    if problem:
        raise ProfileError(problem)
    version = knowledge.resolve_version(kube_version)
    settings = base_settings(name, version)
    stretch = None
    if describe(name).get("stretch", True):  # upstream keeps Kubernetes' defaults at any size
        settings, stretch = stretch_for_nodes(settings, nodes, float(budget))
    if overrides:
        try:
            settings = settings.with_values(parse_overrides(overrides))
        except SettingError:
            raise
    return ProfileResult(name, nodes, version, float(budget), settings, stretch)


def report(
    result: ProfileResult,
    lease_bytes: int | None = None,
    node_status_bytes: int | None = None,
    current_kubespray: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The plain-data view of a result that the CLI, the filters and the role share."""
    from node_timing import figures

    figs = figures.compute(
        result.settings, result.nodes, lease_bytes, node_status_bytes, result.kube_version
    )
    return {
        "profile": result.name,
        "nodes": result.nodes,
        "kube_version": str(result.kube_version),
        "heartbeat_budget": _plain_number(result.heartbeat_budget),
        "stretched": result.stretch is not None,
        "stretch": result.stretch.to_dict() if result.stretch else None,
        "settings": result.settings.to_dict(),
        "figures": figs.to_dict(),
        "eviction_model": figures.model_text(result.kube_version),
        "caveats": figures.caveats(),
        "kubespray": kubespray.to_vars(result.settings, current_kubespray, result.kube_version),
        "kubespray_superseded": kubespray.superseded_keys(result.settings, result.kube_version),
    }


def _plain_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
