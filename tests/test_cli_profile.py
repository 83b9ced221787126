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


def test_profile_runs_the_rules_on_its_result(cli) -> None:
    args = ("profile", "upstream", "--nodes", "10", "--format", "json")
    tight = ("--set", "controller_manager.node_monitor_grace_period=5s")
    plain = cli(*args, *tight)
    # an error fails as in lint, with the rule named on stderr and stdout still the JSON
    assert plain.code == 2, plain.err
    assert plain.json()["settings"]["controller_manager"]["node_monitor_grace_period"] == "5s"
    assert "profile upstream: error grace-vs-heartbeat:" in plain.err
    strict = cli(*args, *tight, "--strict")
    assert strict.code == 2 and "error grace-vs-heartbeat" in strict.err


@pytest.mark.parametrize("name", ["upstream", "medium", "low"])
def test_profiles_pass_their_own_rules(cli, name: str) -> None:
    r = cli("profile", name, "--nodes", "100", "--strict")
    assert r.code == 0, r.err
    if name == "low":
        # an update frequency of 1m is the profile's point; slow-status says what it costs
        # (late conditions, slower attach-required mounts) as information, which never fails
        assert r.err.startswith("node-timing: profile low: info slow-status:"), r.err
        assert r.err.count("\n") == 1
    else:
        assert r.err == ""


def test_kubespray_default_warns_and_fails_only_with_strict(cli) -> None:
    r = cli("profile", "kubespray-default", "--nodes", "100")
    assert r.code == 0
    assert "warning report-frequency:" in r.err
    assert cli("profile", "kubespray-default", "--nodes", "100", "--strict").code == 2


def test_node_counts_above_the_tested_size_warn(cli) -> None:
    above = cli("profile", "medium", "--nodes", "5001")
    assert above.code == 0
    assert "5,001 nodes is above the 5,000 Kubernetes is tested with" in above.err
    assert "tested with" not in cli("profile", "medium", "--nodes", "5000").err


def test_render_writes_nothing_when_the_result_fails(cli, tmp_path) -> None:
    out = tmp_path / "out"
    base = ("render", "--profile", "upstream", "--nodes", "10", "--out", str(out))
    r = cli(*base, "--set", "controller_manager.node_monitor_grace_period=5s")
    assert r.code == 2
    assert "nothing written: the result fails the lint rules" in r.err
    assert not out.exists()
    warned = cli("render", "--profile", "kubespray-default", "--nodes", "10", "--out", str(out))
    assert warned.code == 0 and (out / "kubespray" / "node-timing.yml").is_file()
    strict = tmp_path / "strict"
    refused = cli(
        "render",
        "--profile",
        "kubespray-default",
        "--nodes",
        "10",
        "--out",
        str(strict),
        "--strict",
    )
    assert refused.code == 2 and not strict.exists()
