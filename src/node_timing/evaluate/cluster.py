"""The inventory's effective settings as render, explain and the Ansible filters need them.

This module never runs the rules: it reads the same context the rules read and refuses values that
cannot be rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node_timing import kubespray
from node_timing.errors import EXIT_FAILURES, UsageError
from node_timing.evaluate.context import build_context
from node_timing.evaluate.options import Options
from node_timing.evaluate.sources import Source, plain
from node_timing.knowledge import KubeVersion
from node_timing.releases import Release
from node_timing.settings import Settings


class UnusableSettings(UsageError):
    """The inventory's timing values cannot be rendered as they are (invalid or unresolved)."""

    exit_code = EXIT_FAILURES


@dataclass(frozen=True)
class ClusterSettings:
    """What an inventory renders and simulates, from the same evaluation ``lint`` makes: the
    settings, the Kubernetes version and why, the node count, the kubespray release, and the
    inventory's extra-args dicts (kept when rendering kubespray's variables)."""

    settings: Settings
    version: KubeVersion
    version_why: str
    nodes: int
    release: Release | None
    extra_args: dict[str, Any]


def cluster_settings(inventory_path: str | Path, options: Options | None = None) -> ClusterSettings:
    """The inventory's effective Settings, with its version, node count and release.

    Control-plane settings come from the first control-plane host, kubelet settings from the
    largest group of kubelet hosts that share them. Raises :class:`UnusableSettings` when a value
    that would be rendered is invalid or cannot be resolved: rendering a default in its place
    would silently change what the inventory says.
    """
    from dataclasses import replace

    from node_timing.inventory import load_inventory

    options = options or Options()
    ctx = build_context(
        load_inventory(
            inventory_path, allow_exec=options.allow_exec, extra_vars=options.extra_vars
        ),
        options,
    )
    kubelet_group = (
        max(ctx.kubelet_groups, key=lambda g: len(g.hosts)) if ctx.kubelet_groups else ctx.cluster
    )
    bad: list[Source] = []
    for path, source in ctx.cluster.effective.items():
        if not path.startswith("kubelet.") and not source.usable:
            bad.append(source)
    for path, source in kubelet_group.effective.items():
        if path.startswith("kubelet.") and not source.usable:
            bad.append(source)
    if bad:
        shown = "; ".join(f"{s.location}: {s.problem or s.unresolved}" for s in bad[:3])
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise UnusableSettings(
            f"cannot render from {inventory_path}: {shown}{more}; `node-timing lint` explains"
        )
    current = {
        name: plain(ctx.cluster.variables[name])
        for name in kubespray.extra_args()
        if name in ctx.cluster.variables and isinstance(plain(ctx.cluster.variables[name]), Mapping)
    }
    return ClusterSettings(
        settings=replace(ctx.cluster.settings, kubelet=kubelet_group.settings.kubelet),
        version=ctx.version,
        version_why=ctx.version_why,
        nodes=ctx.nodes,
        release=ctx.release,
        extra_args=current,
    )
