"""The outage simulation: checked against the closed form, the rate-limit arithmetic, the zone
rules, and its own invariants (no eviction before detection, same seed same run)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node_timing import figures, knowledge, profiles
from node_timing.settings import Settings
from node_timing.simulate import scenarios as sc
from node_timing.simulate import svg, timeline
from node_timing.simulate.values import FULL, PARTIAL, Bucket, Params

SVG = "{http://www.w3.org/2000/svg}"


def _settings(profile: str = "medium", nodes: int = 1000, **values: Any) -> Settings:
    s = profiles.compute(profile, nodes).settings
    return s.with_values(values) if values else s


def _run(name: str, nodes: int, profile: str = "medium", seed: int = 1, **kw: Any) -> sc.Outcome:
    return sc.run_once(sc.Scenario(name, nodes, **kw), _settings(profile, nodes), seed)


def _times(outcome: sc.Outcome, kind: str) -> list[float]:
    return [e.t for e in outcome.events if e.kind == kind]


# Slack for the simulator's passes: each takes monitor_pass_seconds (1 ms), so the checks of a
# node drift a millisecond a pass; 200 passes cover every profile's grace.
_PASS_DRIFT = 200 * 0.001


@pytest.mark.parametrize("version", ["1.33", "1.36"])
@pytest.mark.parametrize("profile", ["upstream", "kubespray-default", "medium", "fast", "low"])
def test_one_dead_node_follows_the_passes_of_the_source(profile: str, version: str) -> None:
    """The window derived from node_lifecycle_controller.go (figures.py's docstring): marked at
    the ceil(grace / period)-th pass after the pass that saw the last signal; the taint queued
    by that pass (1.34+) or the next one (before), added by the next 100 ms tick; the pods go
    tolerationSeconds later. figures.py and the simulator must both give it."""
    kube = knowledge.KubeVersion.parse(version)
    s = profiles.compute(profile, 100, kube_version=version).settings
    p = Params.from_settings(s, kube)
    f = figures.compute(s, 100, kube_version=kube)
    grace_ns = s.controller_manager.node_monitor_grace_period
    period_ns = s.controller_manager.node_monitor_period
    marked = -(-grace_ns // period_ns) * period_ns / 1e9
    gap = figures.signal_gap_seconds(s)
    queued = p.monitor_period if version == "1.33" else 0.0
    assert f.detection_seconds_min == pytest.approx(max(marked - gap, 0), abs=1e-3)
    assert f.detection_seconds_max == pytest.approx(marked + p.monitor_period)
    assert f.eviction_seconds_max == pytest.approx(
        marked + p.monitor_period + queued + p.toleration
    )
    assert f.eviction_seconds_min == pytest.approx(f.detection_seconds_min + queued + p.toleration)
    spread = []
    for seed in range(40):
        o = sc.run_once(sc.Scenario("node-crash", 100), s, seed, kube_version=kube)
        (detected,) = _times(o, "not_ready")
        assert f.detection_seconds_min <= detected <= f.detection_seconds_max + _PASS_DRIFT
        (taint,) = _times(o, "taint")
        (evict,) = _times(o, "evict")
        assert queued < taint - detected <= queued + 0.1 + 2e-3  # next tick after the queueing pass
        assert evict == pytest.approx(taint + p.toleration)
        assert f.eviction_seconds_min <= evict <= f.eviction_seconds_max + 0.1 + _PASS_DRIFT
        spread.append(detected)
    # the runs cover the window, not one corner of it
    assert max(spread) - min(spread) >= 0.5 * (f.detection_seconds_max - f.detection_seconds_min)


def test_acceptance_node_crash_medium_1000_within_the_closed_form() -> None:
    o = _run("node-crash", 1000)
    s = sc.summary(o)
    f = figures.compute(_settings(), 1000)
    assert f.detection_seconds_min <= s["detection_seconds"]["max"] <= f.detection_seconds_max
    assert s["evicted_nodes"] == 1
    assert s["last_eviction_seconds"] <= f.eviction_seconds_max


def test_rate_limit_arithmetic_forty_nodes_in_a_healthy_large_zone() -> None:
    """K nodes of a zone far below the threshold: tainted one per 1/rate, the first at once."""
    o = _run("zone-outage", 1000, failed=40)
    taints = _times(o, "taint")
    evicts = _times(o, "evict")
    assert len(taints) == len(evicts) == 40
    assert taints[-1] - taints[0] == pytest.approx(39 / 0.1, abs=0.2)
    assert evicts[-1] - evicts[0] == pytest.approx(390, abs=0.2)
    gaps = [b - a for a, b in itertools.pairwise(taints)]
    assert all(g == pytest.approx(10, abs=0.11) for g in gaps)


@pytest.mark.parametrize("k, rate", [(5, 0.02), (12, 0.05)])
def test_rate_limit_arithmetic_other_rates(k: int, rate: float) -> None:
    s = _settings(nodes=500, **{"controller_manager.node_eviction_rate": rate})
    o = sc.run_once(sc.Scenario("zone-outage", 500, failed=k), s, 7)
    taints = _times(o, "taint")
    assert len(taints) == k
    assert taints[-1] - taints[0] == pytest.approx((k - 1) / rate, abs=0.2)


def test_a_fast_rate_waits_for_detection_not_for_tokens() -> None:
    """(K-1)/rate holds while tokens are scarcer than detections: at 2 nodes a second the
    taints follow the NotReady marks (each within a tainting pass), never closer than 1/rate."""
    s = _settings(nodes=500, **{"controller_manager.node_eviction_rate": 2.0})
    o = sc.run_once(sc.Scenario("zone-outage", 500, failed=20), s, 7)
    taints = _times(o, "taint")
    assert len(taints) == 20
    assert all(b - a >= 0.5 - 1e-6 for a, b in itertools.pairwise(taints))
    marked = {e.node: e.t for e in o.events if e.kind == "not_ready"}
    previous = float("-inf")
    for e in (e for e in o.events if e.kind == "taint"):
        # as soon as both the node is queued and a token is there, up to one tainting pass
        assert e.t <= max(marked[e.node], previous + 0.5) + 0.1 + 1e-6
        previous = e.t


def test_large_zone_past_the_threshold_uses_the_secondary_rate() -> None:
    o = _run("zone-outage", 1000, failed=600)
    switch = next(e.t for e in o.events if e.kind == "zone" and e.detail == PARTIAL)
    later = [t for t in _times(o, "taint") if t > switch]
    assert len(later) >= 10
    gaps = [b - a for a, b in itertools.pairwise(later)]
    assert all(g == pytest.approx(100, abs=0.11) for g in gaps)  # 1 / 0.01 per second


def test_small_zone_past_the_threshold_stops_tainting() -> None:
    """30 of 40 (a zone no larger than the large-cluster threshold): the rate drops to 0 once
    the zone is PartialDisruption; only nodes tainted while it was still Normal are evicted."""
    o = _run("zone-outage", 40, failed=30)
    switch = next(e.t for e in o.events if e.kind == "zone" and e.detail == PARTIAL)
    taints = _times(o, "taint")
    assert all(t <= switch + 0.1 for t in taints)
    assert len(taints) < 5
    before = [e for e in o.events if e.kind == "not_ready" and e.t < switch]
    assert len(taints) <= len(before)
    assert len(_times(o, "evict")) == len(taints)


def test_zone_detected_in_one_pass_evicts_nothing() -> None:
    """Every failed node seen in the same pass (renewals far apart from the pass grid cannot
    spread them): the zone turns PartialDisruption before a token is spent."""
    s = _settings(nodes=40, **{"controller_manager.node_monitor_period": 30 * 10**9})
    o = sc.run_once(sc.Scenario("zone-outage", 40, failed=30), s, 3)
    passes = {e.t for e in o.events if e.kind == "not_ready"}
    if len(passes) == 1:
        assert _times(o, "taint") == []


def test_cluster_outage_stops_every_eviction() -> None:
    o = _run("cluster-outage", 200)
    assert sc.summary(o)["detected_nodes"] == 200
    assert any(e.kind == "zone" and e.detail == FULL for e in o.events)
    assert _times(o, "evict") == []


def test_one_zone_of_three_down_is_still_evicted_at_the_normal_rate() -> None:
    """On its way to FullDisruption the zone passes through PartialDisruption (100 nodes > 50:
    the secondary rate); once fully disrupted, with other zones healthy, the rate is normal."""
    o = _run("zone-outage", 300, zones=3)
    full = next(
        e.t for e in o.events if e.kind == "zone" and e.zone == "zone-1" and e.detail == FULL
    )
    taints = _times(o, "taint")
    assert len(taints) == 100
    later = [t for t in taints if t > full + 10]
    assert len(later) > 50
    assert all(b - a == pytest.approx(10, abs=0.11) for a, b in itertools.pairwise(later))


def test_slow_apiserver_flaps_short_grace_but_not_long() -> None:
    """Every request slower than the heartbeat timeout for a minute: with upstream's 40 s
    lease and 50 s grace every node goes NotReady (and the zone is fully disrupted, so nothing is
    evicted); medium's 2 minutes of grace rides it out."""
    upstream = sc.run_once(
        sc.Scenario("apiserver-slow", 50, latency=sc.Latency.parse("fixed:15s")),
        _settings("upstream", 50),
        1,
    )
    s = sc.summary(upstream)
    assert s["false_not_ready"] == 50
    assert s["evicted_nodes"] == 0
    assert len({e.node for e in upstream.events if e.kind == "ready"}) == 50
    medium = sc.run_once(
        sc.Scenario("apiserver-slow", 50, latency=sc.Latency.parse("fixed:25s")),
        _settings("medium", 50),
        1,
    )
    assert sc.summary(medium)["false_not_ready"] == 0


def test_kubelet_restart() -> None:
    short = _run("kubelet-restart", 100, downtime=30.0)
    assert _times(short, "not_ready") == []
    long = _run("kubelet-restart", 100, downtime=150.0)
    (marked,) = _times(long, "not_ready")
    (ready,) = _times(long, "ready")
    assert marked < 150 < ready
    assert _times(long, "evict") == []  # back before taint + 60 s toleration
    assert len(_times(long, "untaint")) == 1


def test_token_bucket_swap_drains_when_the_old_bucket_was_empty() -> None:
    b = Bucket(0.1, 0.0)
    assert b.try_accept(0.0) and not b.try_accept(5.0)
    assert b.ready_at(5.0) == pytest.approx(10.0)
    assert Bucket(0.0, 0.0).ready_at(1.0) == float("inf")


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    nodes=st.integers(3, 120),
    share=st.floats(0.01, 1.0),
    zones=st.integers(1, 3),
    profile=st.sampled_from(["upstream", "fast", "medium"]),
)
def test_invariants(seed: int, nodes: int, share: float, zones: int, profile: str) -> None:
    zone_one = sc.Scenario("zone-outage", nodes, zones=zones).zone_sizes()["zone-1"]
    failed = max(1, round(share * zone_one))
    scenario = sc.Scenario("zone-outage", nodes, zones=zones, failed=failed, horizon=900.0)
    s = _settings(profile, nodes)
    o = sc.run_once(scenario, s, seed)
    first: dict[str, dict[str, float]] = {}
    for e in o.events:
        if e.node:
            first.setdefault(e.node, {}).setdefault(e.kind, e.t)
    for _node, kinds in first.items():
        if "evict" in kinds:
            assert kinds["not_ready"] <= kinds["taint"] <= kinds["evict"]
        if "taint" in kinds:
            assert kinds["not_ready"] <= kinds["taint"]
        if "not_ready" in kinds:
            assert kinds["not_ready"] > 0  # nothing before the failure
    assert sc.summary(o)["false_not_ready"] == 0
    again = sc.run_once(scenario, s, seed)
    assert again.events == o.events


def _doc(name: str, nodes: int, **kw: Any) -> tuple[dict[str, Any], sc.Outcome]:
    scenario = sc.Scenario(name, nodes, **kw)
    s = _settings("medium", nodes)
    o = sc.run_once(scenario, s, 1)
    head = {"profile": "medium <&\"'>"}
    doc = timeline.document(scenario, Params.from_settings(s), head, o, sc.summary(o), None, 1)
    return doc, o


@pytest.mark.parametrize(
    "name, kw", [("zone-outage", {"failed": 40}), ("kubelet-restart", {"downtime": 150.0})]
)
def test_svg_is_xml_with_lanes_and_marks(name: str, kw: dict[str, Any]) -> None:
    doc, o = _doc(name, 1000, **kw)
    root = ET.fromstring(svg.render(doc, o).encode())
    assert root.tag == f"{SVG}svg"
    lanes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "lane"]
    assert [g.get("data-group") for g in lanes] == list(o.groups)
    zones = [g for g in root.iter(f"{SVG}g") if g.get("class") == "zone"]
    assert len(zones) == 1
    marks = {
        m.get("class", "").split()[1]
        for lane in lanes
        for m in lane.iter()
        if m.get("class", "").startswith("mark ")
    }
    assert {"renewal", "crash", "not_ready", "taint"} <= marks
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "medium <&\"'>" in texts  # escaped on the way in, intact on the way out


def test_text_timeline_and_json_document() -> None:
    doc, o = _doc("zone-outage", 1000, failed=40)
    text = timeline.text(doc, o)
    assert "40 nodes of zone-1: tainted" in text and "evicted nodes      40" in text
    assert doc["summary"]["last_eviction_seconds"] - doc["summary"]["first_eviction_seconds"] == (
        pytest.approx(390, abs=0.2)
    )
    assert {"t", "kind"} <= set(doc["events"][0])


@pytest.mark.parametrize(
    "name, nodes, profile, kw",
    [
        ("zone-outage", 300, "medium", {"failed": 40}),
        ("kubelet-restart", 200, "medium", {"downtime": 150.0}),
        # healthy nodes let go once the apiserver is fast again and they renewed cleanly
        ("apiserver-slow", 200, "upstream", {"latency": sc.Latency.parse("fixed:15s")}),
        ("apiserver-slow", 200, "upstream", {"latency": sc.Latency.parse("exp:9s")}),
    ],
)
def test_aggregating_healthy_nodes_changes_nothing(
    name: str, nodes: int, profile: str, kw: Any
) -> None:
    """The same run with every healthy kubelet simulated renewal by renewal: the same events
    (healthy nodes are never marked, so they add none) and the same summary."""
    scenario = sc.Scenario(name, nodes, horizon=900.0, **kw)
    s = _settings(profile, nodes)
    aggregated = sc.run_once(scenario, s, 11)
    full = sc.run_once(scenario, s, 11, aggregate=False)
    assert full.processed > 5 * aggregated.processed
    assert full.events == aggregated.events
    assert sc.summary(full) == sc.summary(aggregated)


def _evicted_per_run(version: str, nodes: int, failed: int, runs: int) -> list[int]:
    kube = knowledge.KubeVersion.parse(version)
    s = profiles.compute("upstream", nodes, kube_version=version).settings
    return [
        len(
            _times(
                sc.run_once(
                    sc.Scenario("zone-outage", nodes, failed=failed), s, seed, kube_version=kube
                ),
                "evict",
            )
        )
        for seed in range(runs)
    ]


def test_small_zone_crossing_the_threshold_evicts_nothing_in_many_runs_before_1_34() -> None:
    """A zone of 20 (<= --large-cluster-size-threshold) losing 12 (60 %): its rate drops to 0 at
    the pass where the marked nodes reach 55 %. Before 1.34 the nodes marked first are queued
    one pass later, so whenever the zone crosses by then nothing is tainted at all; from 1.34
    the first marked nodes are queued in their own pass and the first tick taints one."""
    before = _evicted_per_run("1.33", 20, 12, 60)
    after = _evicted_per_run("1.36", 20, 12, 60)
    assert max(before) <= 1 and max(after) <= 2  # the brake holds either way
    zero_before = before.count(0) / len(before)
    assert 0.2 <= zero_before <= 0.8  # about half the runs evict nobody
    assert after.count(0) / len(after) < 0.1
