"""Lint stays linear in the hosts whatever their values: counts, not times.

Every host has its own host_vars file with its own value, so every host is a signature group of
its own. The rule runner must then look at each group a bounded number of times (no rule may scan
every group once per group), and the hosts named by the findings must grow with the hosts, not
with their square.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node_timing.evaluate.context import build_context
from node_timing.evaluate.host_timing import HostTiming
from node_timing.rules.runner import run_rules


class CountingList(list[HostTiming]):
    """A list of groups that counts how often it is walked."""

    walks = 0

    def __iter__(self) -> Iterator[HostTiming]:
        CountingList.walks += 1
        return super().__iter__()


def _inventory(root: Path, workers: int, control_planes: int = 1) -> Path:
    """``workers`` kubelet hosts, each with a distinct update frequency in its own host_vars;
    ``control_planes`` control-plane hosts, half of them with a distinct grace period."""
    inv = root / f"inv-{workers}-{control_planes}"
    (inv / "host_vars").mkdir(parents=True)
    cps = [f"cp{i}" for i in range(control_planes)]
    nodes = [f"node{i}" for i in range(workers)]
    (inv / "inventory.ini").write_text(
        "[kube_control_plane]\n" + "\n".join(cps) + "\n\n[kube_node]\n" + "\n".join(nodes) + "\n"
    )
    for i, host in enumerate(nodes):
        (inv / "host_vars" / f"{host}.yml").write_text(
            f"kubelet_status_update_frequency: {10 + i}s\n"
        )
    for i, host in enumerate(cps[: control_planes // 2]):
        (inv / "host_vars" / f"{host}.yml").write_text(
            f"kube_controller_node_monitor_grace_period: {41 + i}s\n"
        )
    return inv


def _walks(inv: Path) -> tuple[int, int, Any]:
    from node_timing.inventory import load_inventory

    ctx = build_context(load_inventory(inv))
    ctx.kubelet_groups = CountingList(ctx.kubelet_groups)
    ctx.control_plane_groups = CountingList(ctx.control_plane_groups)
    ctx.groups = CountingList(ctx.groups)
    CountingList.walks = 0
    findings = run_rules(ctx)
    return CountingList.walks, len(ctx.groups), findings


def test_group_walks_do_not_grow_with_distinct_hosts(tmp_path: Path) -> None:
    small_walks, small_groups, small = _walks(_inventory(tmp_path, 20))
    big_walks, big_groups, big = _walks(_inventory(tmp_path, 80))
    # one signature group per distinct host (plus the control plane's)
    assert (small_groups, big_groups) == (21, 81)
    # every group gets its own report-frequency finding: the rules did look at every group ...
    assert len([f for f in small if f.rule == "report-frequency"]) == 21
    assert len([f for f in big if f.rule == "report-frequency"]) == 81
    # ... and walked the group lists as often for 80 groups as for 20 (once per rule, not per group)
    assert big_walks == small_walks


@pytest.mark.parametrize("control_planes", [40, 160])
def test_control_plane_drift_names_hosts_linearly(tmp_path: Path, control_planes: int) -> None:
    """Half the control-plane hosts share the default, the other half each differ: every finding
    names its differing host, not the whole baseline again."""
    *_, findings = _walks(_inventory(tmp_path, 1, control_planes))
    drift = [f for f in findings if f.rule == "control-plane-drift"]
    assert len(drift) == control_planes // 2
    assert sum(len(f.hosts) for f in drift) == control_planes // 2
    assert all(f"and {control_planes // 2 - 3} more" in f.message for f in drift)
