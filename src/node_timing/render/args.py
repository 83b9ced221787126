"""Timing flags of kube-controller-manager and kube-apiserver, in the three shapes they take.

``flags``: ``--name=value`` strings for a static Pod's command; ``v1beta3``: kubeadm's map of
strings; ``v1beta4``: kubeadm's list of ``{name, value}`` (kubeadm 1.31+). Values are strings in
every shape: durations Go-normalised, tolerations plain integers.
"""

from __future__ import annotations

from typing import Any, Literal

from node_timing import knowledge
from node_timing.knowledge import KubeVersion
from node_timing.settings import Settings, to_text

Style = Literal["flags", "v1beta3", "v1beta4"]
STYLES: tuple[Style, ...] = ("flags", "v1beta3", "v1beta4")


class RenderError(ValueError):
    """A request the renderers cannot honour: an API the version refuses, an unknown manifest."""


def flag_names(component: str) -> dict[str, str]:
    """``{setting path: flag name}`` of a component's settings, in the knowledge base's order."""
    return {
        path: fact["upstream_name"]
        for path, fact in knowledge.setting_facts().items()
        if fact["component"] == component and not fact.get("environment")
    }


def pairs(
    settings: Settings, component: str, version: KubeVersion | None = None
) -> list[tuple[str, str]]:
    """``(flag name, value)`` of a component's timing flags, without those ``version`` removed."""
    out: list[tuple[str, str]] = []
    for path, name in flag_names(component).items():
        if version is not None and knowledge.flag_removed(name, version):
            continue
        out.append((name, to_text(path, settings.get(path))))
    return out


def shape(items: list[tuple[str, str]], style: Style) -> Any:
    """``(name, value)`` pairs in one of the three shapes; each name once, the last value wins."""
    unique = dict(items)
    if style == "flags":
        return [f"--{name}={value}" for name, value in unique.items()]
    if style == "v1beta3":
        return dict(unique)
    if style == "v1beta4":
        return [{"name": name, "value": value} for name, value in unique.items()]
    raise RenderError(f"unknown argument style {style!r}; choose one of: {', '.join(STYLES)}")


def controller_args(settings: Settings, version: KubeVersion, style: Style = "flags") -> Any:
    """kube-controller-manager's node-lifecycle flags for ``version``."""
    return shape(pairs(settings, "controller_manager", version), style)


def apiserver_args(settings: Settings, style: Style = "flags") -> Any:
    """kube-apiserver's default toleration flags (DefaultTolerationSeconds admission plugin)."""
    return shape(pairs(settings, "apiserver"), style)
