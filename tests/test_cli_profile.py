from __future__ import annotations

import pytest


def test_profile_json(cli) -> None:
    r = cli("profile", "fast", "--nodes", "1000", "--kube-version", "1.35", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert set(data) >= {"settings", "figures", "kubespray"}
    assert data["settings"]["controller_manager"]["node_monitor_grace_period"] == "20s"
    assert data["figures"]["lease_writes_per_minute"] == 15000
    assert data["kubespray"]["kube_controller_node_monitor_grace_period"] == "20s"


def test_profile_table_and_yaml(cli) -> None:
    r = cli("profile", "medium", "--nodes", "300")
    assert r.code == 0
    assert "node_monitor_grace_period" in r.out and "2m0s" in r.out
    assert "kube_controller_node_monitor_grace_period: 2m0s" in r.out
    y = cli(
        "profile",
        "low",
        "--nodes",
        "3",
        "--format",
        "yaml",
        "--set",
        "apiserver.default_unreachable_toleration_seconds=120",
    )
    assert y.code == 0
    assert "default_unreachable_toleration_seconds: 120" in y.out


@pytest.mark.parametrize(
    "args",
    [
        ("profile", "turbo", "--nodes", "10"),
        ("profile", "fast", "--nodes", "-3"),
        ("profile", "fast", "--nodes", "ten"),
        ("profile", "fast", "--nodes", "10", "--kube-version", "one.thirty"),
        ("profile", "fast", "--nodes", "10", "--kube-version", "1.99"),
        ("profile", "fast", "--nodes", "10", "--set", "kubelet.bogus=1s"),
        (
            "profile",
            "fast",
            "--nodes",
            "10",
            "--set",
            "controller_manager.node_monitor_grace_period=2d",
        ),
        ("profile", "fast", "--nodes", "10", "--set", "novalue"),
        ("profile", "fast", "--nodes", "10", "--heartbeat-budget", "0"),
        ("profile", "fast"),
        ("nosuchcommand",),
    ],
)
def test_usage_errors_are_one_line_exit_3(cli, args) -> None:
    r = cli(*args)
    assert r.code == 3, (r.out, r.err)
    assert "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert r.err.startswith("node-timing: error:")
