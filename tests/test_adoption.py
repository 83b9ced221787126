"""Adopting a profile the durable way: `fix INVENTORY --profile NAME` writes it into the inventory,
where every kubespray playbook reads it.

After the fix, `explain` must show every setting the profile computes for that inventory (its
node count, its Kubernetes version) with its source in the inventory, never a default; a second
fix must change nothing, byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from kubespray_layout import post_deployment

ROOT = Path(__file__).resolve().parent.parent
# The kubelet's HTTP/2 timeouts live in its environment, for which kubespray has no variable: no
# inventory value deploys them (only the role's apply does), so fix writes none, and the
# inventory can never be their source.
ENVIRONMENT = {"kubelet.http2_read_idle_timeout_seconds", "kubelet.http2_ping_timeout_seconds"}


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _example(name: str) -> Any:
    def make(tmp_path: Path) -> Path:
        dst = tmp_path / name
        shutil.copytree(ROOT / "examples" / "inventory" / name, dst)
        return dst

    return make


def _deployed(tmp_path: Path) -> Path:
    return post_deployment(tmp_path, tmp_path / "ran")


INVENTORIES = {
    "mycluster": _example("mycluster"),  # a blog post's timing, a host_vars host
    "kubespray-current": _example("kubespray-current"),
    "deployed": _deployed,  # kubespray's layout after a deployment: no timing variables at all
}


@pytest.mark.parametrize("profile", ["fast", "low"])
@pytest.mark.parametrize("layout", sorted(INVENTORIES))
def test_fix_profile_puts_every_deployable_setting_in_the_inventory(
    cli: Any, tmp_path: Path, layout: str, profile: str
) -> None:
    inv = INVENTORIES[layout](tmp_path)
    checked = cli("fix", str(inv), "--profile", profile, "--check", "--diff")
    assert checked.code in (0, 2), checked.err
    untouched = snapshot(inv)
    fixed = cli("fix", str(inv), "--profile", profile)
    assert fixed.code in (0, 8), fixed.err
    assert snapshot(inv) != untouched  # none of these inventories runs the profile already

    explained = cli("explain", str(inv), "--format", "json")
    assert explained.code == 0, explained.err
    report = explained.json()
    wanted = cli(
        "profile",
        profile,
        "--nodes",
        str(report["nodes"]),
        "--kube-version",
        str(report["kube_version"]),
        "--format",
        "json",
    ).json()["settings"]
    expected = {
        f"{component}.{name}": value
        for component, values in wanted.items()
        for name, value in values.items()
    }
    assert report["groups"]
    for group in report["groups"]:
        for path, value in expected.items():
            shown = group["settings"].get(path)
            if shown is None:  # a group with no control plane shows only the kubelet's
                assert not path.startswith("kubelet."), (group["hosts"], path)
                continue
            if path in ENVIRONMENT:
                assert not str(shown["from"]).startswith(str(inv)), (path, shown)
                continue
            assert shown["value"] == value, (group["hosts"], path, shown, value)
            assert str(shown["from"]).startswith(str(inv) + "/"), (group["hosts"], path, shown)

    adopted = snapshot(inv)
    again = cli("fix", str(inv), "--profile", profile)
    assert again.code == 0, again.out + again.err
    assert snapshot(inv) == adopted
    rechecked = cli("fix", str(inv), "--profile", profile, "--check", "--diff")
    assert rechecked.code == 0, rechecked.out + rechecked.err
    assert "would fix" not in rechecked.out and "\n+++ " not in rechecked.out, rechecked.out
