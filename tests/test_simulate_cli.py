"""``node-timing simulate`` as a user runs it: the issue's acceptance cases, the three formats,
and one clear line with exit 3 for every bad argument."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

MEDIUM = ("simulate", "--profile", "medium", "--nodes", "1000")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "inventory" / "mycluster"


def test_node_crash_json_within_the_closed_form(cli) -> None:
    r = cli(*MEDIUM, "--scenario", "node-crash", "--format", "json")
    assert r.code == 0, r.err
    doc = r.json()
    cf, s = doc["closed_form"], doc["summary"]
    d = s["detection_seconds"]
    assert cf["detection_seconds_min"] <= d["min"] <= d["max"] <= cf["detection_seconds_max"]
    assert s["evicted_nodes"] == 1
    assert s["first_eviction_seconds"] == s["last_eviction_seconds"] <= cf["eviction_seconds_max"]
    assert s["false_not_ready"] == 0
    kinds = [e["kind"] for e in doc["events"]]
    assert (
        kinds.index("crash")
        < kinds.index("not_ready")
        < kinds.index("taint")
        < kinds.index("evict")
    )


@pytest.mark.parametrize(
    "nodes, failed, check",
    [
        (
            "1000",
            "40",
            lambda s: abs(s["last_eviction_seconds"] - s["first_eviction_seconds"] - 390) < 1,
        ),
        # one node per 100 s once the zone is PartialDisruption: 15 to 19 in the 30 minutes
        ("1000", "600", lambda s: 14 <= s["evicted_nodes"] <= 20),
        # the rate drops to zero; at most the few tainted while the zone still looked Normal
        ("40", "30", lambda s: s["evicted_nodes"] <= 3),
    ],
)
def test_zone_outage_acceptance(cli, nodes: str, failed: str, check) -> None:
    # the zone rules alone: no pods, so the controller's writes barely slow its passes
    r = cli(
        "simulate", "--profile", "medium", "--nodes", nodes, "--scenario", "zone-outage",
        "--failed", failed, "--pods-per-node", "0", "--format", "json",
    )  # fmt: skip
    assert r.code == 0, r.err
    assert check(r.json()["summary"])


def test_same_seed_same_output_other_seed_other_output(cli) -> None:
    args = (*MEDIUM, "--scenario", "zone-outage", "--failed", "40", "--format", "json")
    a, b = cli(*args, "--seed", "5"), cli(*args, "--seed", "5")
    c = cli(*args, "--seed", "6")
    assert a.out == b.out
    assert a.json()["events"] != c.json()["events"]


def test_runs_give_a_distribution(cli) -> None:
    r = cli(*MEDIUM, "--scenario", "node-crash", "--runs", "4", "--format", "json")
    assert r.code == 0, r.err
    dist = r.json()["distribution"]
    assert dist["evicted_nodes"] == {"min": 1, "median": 1, "max": 1}
    assert dist["detection_seconds_max"]["min"] <= dist["detection_seconds_max"]["max"]
    text = cli(*MEDIUM, "--runs", "3")
    assert "over 3 runs" in text.out


def test_text_and_svg(cli) -> None:
    r = cli(*MEDIUM, "--scenario", "kubelet-restart", "--downtime", "150s")
    assert r.code == 0, r.err
    assert "marked NotReady" in r.out and "Ready again" in r.out and "taint removed" in r.out
    s = cli(*MEDIUM, "--scenario", "zone-outage", "--failed", "40", "--format", "svg")
    assert s.code == 0, s.err
    root = ET.fromstring(s.out.encode())
    assert root.tag.endswith("svg") and len(list(root.iter())) > 50


def test_inventory_settings(cli) -> None:
    r = cli(
        "simulate", "--inventory", str(EXAMPLE), "--nodes", "50", "--scenario", "cluster-outage",
        "--format", "json",
    )  # fmt: skip
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["inventory"] == str(EXAMPLE)
    assert doc["summary"]["evicted_nodes"] == 0  # every zone fully disrupted: no eviction


@pytest.mark.parametrize(
    "args, message",
    [
        (("simulate", "--nodes", "10"), "--profile NAME"),
        (("simulate", "--profile", "medium"), "needs --nodes"),
        (("simulate", "--profile", "turbo", "--nodes", "10"), "turbo"),
        ((*MEDIUM, "--scenario", "meteor"), "invalid choice"),
        ((*MEDIUM, "--zones", "0"), "--zones"),
        ((*MEDIUM, "--zones", "2000"), "at most"),
        ((*MEDIUM, "--failed", "1001"), "--failed"),
        ((*MEDIUM, "--scenario", "cluster-outage", "--failed", "3"), "does not apply"),
        ((*MEDIUM, "--duration", "0s"), "--duration"),
        ((*MEDIUM, "--duration", "soon"), "--duration"),
        ((*MEDIUM, "--duration", "48h"), "at most 24h"),
        ((*MEDIUM, "--downtime", "-1s"), "--downtime"),
        ((*MEDIUM, "--latency", "gauss:3s"), "--latency"),
        ((*MEDIUM, "--latency", "uniform:9s:1s"), "LOW <= HIGH"),
        ((*MEDIUM, "--seed", "-1"), "negative"),
        ((*MEDIUM, "--runs", "99999"), "at most"),
        ((*MEDIUM, "--runs", "0"), "--runs"),
        (("simulate", "--profile", "medium", "--nodes", "200000"), "100,000"),
        (
            (
                "simulate",
                "--profile",
                "medium",
                "--nodes",
                "100000",
                "--scenario",
                "apiserver-slow",
                "--runs",
                "200",
            ),
            "too much to simulate",
        ),
        (("simulate", "--profile", "medium", "--inventory", "x", "--nodes", "3"), "not both"),
    ],
)
def test_bad_arguments_one_line_exit_3(cli, args: tuple[str, ...], message: str) -> None:
    r = cli(*args)
    assert r.code == 3, (r.code, r.err)
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.err
    assert "Traceback" not in r.err


def test_missing_inventory_exit_5(cli, tmp_path: Path) -> None:
    r = cli("simulate", "--inventory", str(tmp_path / "none"), "--nodes", "3")
    assert r.code == 5
    assert len(r.err.strip().splitlines()) == 1


def test_explain_shows_the_simulated_headline_next_to_the_closed_form(cli) -> None:
    r = cli("explain", str(EXAMPLE), "--nodes", "200", "--format", "json")
    assert r.code == 0, r.err
    for group in r.json()["groups"]:
        sim, figures = group["simulated"], group["figures"]
        crash = sim["node_crash"]
        assert crash["evicted_nodes"] == 1 and crash["false_not_ready"] == 0
        # within the closed form, plus at most one monitor period of observation delay
        assert figures["detection_seconds_min"] <= crash["detection_seconds"]["max"]
        assert sim["zone_outage_5_percent"]["failed"] == 10
        zone = sim["zone_outage_5_percent"]
        assert zone["evicted_nodes"] == 10
        # ten nodes at 0.1 per second: 90 s from the first taint to the last
        assert zone["last_eviction_seconds"] - zone["first_eviction_seconds"] == pytest.approx(
            90, abs=0.5
        )
    text = cli("explain", str(EXAMPLE), "--nodes", "200")
    assert "simulated (seed 1): one dead node marked at" in text.out
    assert "10 nodes down at once" in text.out


HUGE = "9" * 5000


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--seed", HUGE], "--seed"),
        (["--runs", HUGE], "--runs"),
        (["--zones", HUGE], "--zones"),
        (["--failed", HUGE], "--failed"),
        (["--duration", HUGE + "h"], "--duration"),
        (["--latency", "exp:" + HUGE + "s"], "--latency"),
        (["--set", "controller_manager.node_eviction_rate=nan"], "finite number"),
        # the largest cluster with every kubelet simulated for a day: refused up front
        (["--nodes", "100000", "--duration", "24h", "--scenario", "apiserver-slow"], "too much"),
        (
            [
                "--nodes",
                "1000",
                "--set",
                "controller_manager.node_monitor_grace_period=5s",
                "--runs",
                "50",
            ],
            "too much",
        ),
    ],
)
def test_hostile_numbers_under_limits(extra: list[str], message: str, tmp_path: Path) -> None:
    """In a subprocess with the hostile corpus's memory and time limits: one line, exit 3."""
    from test_cli_hostile import one_error_line
    from test_hostile import run_limited

    base = ["simulate", "--profile", "medium", "--nodes", "1000"]
    proc = run_limited(*base, *extra, cwd=tmp_path)
    assert message in one_error_line(proc)


def test_upstream_is_simulated_unstretched_and_a_stretch_is_reported(cli) -> None:
    up = cli(
        "simulate", "--profile", "upstream", "--nodes", "10000", "--scenario", "node-crash",
        "--format", "json",
    )  # fmt: skip
    assert up.code == 0, up.err
    model = up.json()["model"]
    assert (model["grace_seconds"], model["renew_interval_seconds"]) == (50, 10)
    assert model["stretched"] is False
    fast = cli("simulate", "--profile", "fast", "--nodes", "10000", "--format", "json")
    model = fast.json()["model"]
    assert model["stretched"] is True
    assert model["renew_interval_seconds"] == model["stretch"]["renew_interval_seconds"] > 4
    assert "budget of 500/s" in model["stretch"]["reason"]
    text = cli("simulate", "--profile", "fast", "--nodes", "10000").out
    assert "profile fast stretched: 10000 nodes" in text


ZONE_OUTAGE = (
    "simulate", "--profile", "upstream", "--nodes", "1000", "--zones", "3",
    "--scenario", "zone-outage", "--format", "json",
)  # fmt: skip


def test_the_controllers_writes_slow_a_large_outage(cli) -> None:
    """334 nodes x (1 node + 30 pod status writes) at 20 qps: about 500 s to mark them all."""
    slow = cli(*ZONE_OUTAGE, "--pods-per-node", "30")
    bare = cli(*ZONE_OUTAGE, "--pods-per-node", "0")
    assert slow.code == bare.code == 0, slow.err + bare.err
    s, b = slow.json()["summary"], bare.json()["summary"]
    assert s["last_detection_seconds"] > 300
    assert b["last_detection_seconds"] < 70
    assert 140 <= b["evicted_nodes"] <= 150
    # every node status and pod status write counted, plus taints
    assert s["controller_writes"] >= 334 * 31
    assert 334 <= b["controller_writes"] < 334 * 31
    assert slow.json()["model"]["pods_per_node"] == 30
    # before 1.34 the taint is queued by the pass after the long one: far fewer evicted
    old = cli(*ZONE_OUTAGE, "--pods-per-node", "30", "--kube-version", "1.33")
    assert old.json()["summary"]["evicted_nodes"] < 130


def test_a_faster_controller_client_detects_sooner(cli) -> None:
    base = cli(*ZONE_OUTAGE, "--kube-api-qps", "20", "--kube-api-burst", "30")
    fast = cli(*ZONE_OUTAGE, "--kube-api-qps", "200", "--kube-api-burst", "300")
    assert base.code == fast.code == 0, base.err + fast.err
    assert (
        fast.json()["summary"]["last_detection_seconds"]
        < base.json()["summary"]["last_detection_seconds"] / 5
    )
    assert fast.json()["model"]["kube_api_qps"] == 200
    text = cli(*ZONE_OUTAGE[:-2], "--pods-per-node", "30").out
    assert "controller writes  10,5" in text and "30 pods a node, 20 qps, burst 30" in text
    bad = cli(*ZONE_OUTAGE, "--kube-api-qps", "0")
    assert bad.code == 3 and len(bad.err.strip().splitlines()) == 1


def test_the_inventory_gives_the_controllers_api_budget(cli, tmp_path: Path) -> None:
    import shutil

    inventory = tmp_path / "mycluster"
    shutil.copytree(EXAMPLE, inventory)
    cluster = inventory / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    text = cluster.read_text().replace(
        "kube_kubeadm_controller_extra_args:\n",
        'kube_kubeadm_controller_extra_args:\n  kube-api-qps: "50"\n  kube-api-burst: "70"\n',
    )
    cluster.write_text(text)
    args = ("simulate", "--inventory", str(inventory), "--nodes", "60", "--format", "json")
    model = cli(*args).json()["model"]
    assert (model["kube_api_qps"], model["kube_api_burst"]) == (50, 70)
    model = cli(*args, "--kube-api-qps", "9").json()["model"]  # the option wins
    assert (model["kube_api_qps"], model["kube_api_burst"]) == (9, 70)
    default = cli("simulate", "--inventory", str(EXAMPLE), "--format", "json").json()["model"]
    assert (default["kube_api_qps"], default["kube_api_burst"]) == (20, 30)
