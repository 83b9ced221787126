"""Profiles, node-count stretching and figures: the numbers docs/profiles.md gives."""

from __future__ import annotations

import pytest

from node_timing import figures, knowledge, kubespray, profiles
from node_timing.settings import SettingError


def run(name: str, nodes: int, version: str = "1.35", **kw: object) -> dict:
    return profiles.report(profiles.compute(name, nodes, version, **kw))  # type: ignore[arg-type]


def test_fast_at_1000_nodes() -> None:
    data = run("fast", 1000)
    cm, kubelet, api = (data["settings"][c] for c in ("controller_manager", "kubelet", "apiserver"))
    assert cm["node_monitor_grace_period"] == "20s"
    assert cm["node_monitor_period"] == "2s"
    assert kubelet["node_lease_duration_seconds"] == 16
    assert kubelet["node_status_update_frequency"] == "4s"
    assert kubelet["node_status_report_frequency"] == "5m0s"
    assert api == {
        "default_not_ready_toleration_seconds": 30,
        "default_unreachable_toleration_seconds": 30,
    }
    f = data["figures"]
    assert f["lease_writes_per_minute"] == 15000
    assert f["status_reports_per_minute"] == 200
    assert f["heartbeat_interval_seconds"] == 4
    assert f["heartbeats_per_grace"] == 5
    # grace 20s is 10 passes of 2s: marked 20s after the pass that saw the last renewal, which
    # came up to 4s * 1.04 before the crash and was seen up to a period later
    assert f["detection_seconds_min"] == pytest.approx(20 - 4 * 1.04)
    assert f["detection_seconds_max"] == 22
    # 1.35 queues the taint in the marking pass (PR #120816): 22 + 30
    assert f["taint_queued"] == "same pass"
    assert f["eviction_seconds_max"] == 52
    assert data["stretched"] is False


def test_medium_and_low() -> None:
    medium = run("medium", 1000)["figures"]
    assert medium["lease_writes_per_minute"] == 3000
    assert medium["eviction_seconds_max"] == 120 + 5 + 60
    low = run("low", 1000)
    assert low["settings"]["kubelet"]["node_lease_duration_seconds"] == 240
    assert low["figures"]["eviction_seconds_max"] == 300 + 5 + 60


@pytest.mark.parametrize(
    ("version", "queued", "latest"),
    [("1.33", "next pass", 50 + 2 * 5 + 300), ("1.34", "same pass", 50 + 5 + 300)],
)
def test_upstream_eviction_follows_the_taint_pass_of_the_version(
    version: str, queued: str, latest: int
) -> None:
    """Before 1.34 processTaintBaseEviction sees the Ready condition read before the pass marked
    the node (issue #120815): the taint is queued a monitor period later."""
    data = run("upstream", 100, version)
    assert data["figures"]["taint_queued"] == queued
    assert data["figures"]["eviction_seconds_max"] == latest
    assert data["figures"]["eviction_seconds_min"] == pytest.approx(
        latest - (55 - (50 - 10 * 1.04))
    )
    assert any("out-of-service" in c for c in data["caveats"])


def test_a_grace_between_passes_is_marked_at_the_next_whole_pass() -> None:
    """grace 42s, period 5s: the ninth pass after the probe (45s) is the first strictly after 42s."""
    data = run(
        "upstream", 100, "1.35", overrides={"controller_manager.node_monitor_grace_period": "42s"}
    )
    assert data["figures"]["detection_seconds_max"] == 45 + 5


def test_kubespray_default_report_frequency_inherits() -> None:
    data = run("kubespray-default", 1000)
    assert data["settings"]["kubelet"]["node_status_report_frequency"] is None
    assert data["figures"]["status_reports_per_minute"] == 6000
    assert data["settings"]["controller_manager"]["node_monitor_grace_period"] == "40s"


@pytest.mark.parametrize(
    ("version", "grace"), [("1.24", "40s"), ("1.31", "40s"), ("1.32", "50s"), ("v1.37.2", "50s")]
)
def test_upstream_grace_follows_the_version(version: str, grace: str) -> None:
    assert (
        run("upstream", 10, version)["settings"]["controller_manager"]["node_monitor_grace_period"]
        == grace
    )


def test_fast_at_5000_nodes_is_stretched() -> None:
    data = run("fast", 5000)
    assert data["stretched"] is True
    assert data["settings"]["kubelet"]["node_lease_duration_seconds"] == 40
    assert data["settings"]["controller_manager"]["node_monitor_grace_period"] == "50s"
    assert data["settings"]["controller_manager"]["node_startup_grace_period"] == "2m30s"
    assert data["figures"]["heartbeats_per_grace"] == 5
    assert "budget of 500/s" in data["stretch"]["reason"]


def test_budget_is_configurable() -> None:
    assert (
        run("fast", 1000, heartbeat_budget=100)["settings"]["kubelet"][
            "node_lease_duration_seconds"
        ]
        == 40
    )
    assert run("fast", 5000, heartbeat_budget=2000)["stretched"] is False


def test_upstream_is_never_stretched() -> None:
    """Upstream is Kubernetes' defaults at every size; over the budget it only gets a warning."""
    small, large = run("upstream", 5000), run("upstream", 10000)
    assert small["stretched"] is large["stretched"] is False
    assert large["settings"] == small["settings"]
    assert large["settings"]["kubelet"]["node_lease_duration_seconds"] == 40
    assert run("fast", 10000)["stretched"] is True


def test_profile_upstream_over_the_budget_warns_heartbeat_load(cli) -> None:
    r = cli("profile", "upstream", "--nodes", "10000")
    assert r.code == 0, r.err
    assert "stretched" not in r.out
    assert "heartbeat-load" in r.err


def test_overrides_apply_after_the_profile() -> None:
    data = run("fast", 10, overrides={"controller_manager.node_monitor_grace_period": "30s"})
    assert data["settings"]["controller_manager"]["node_monitor_grace_period"] == "30s"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kubelet.nope": "1s"}, "unknown setting"),
        ({"controller_manager.node_monitor_grace_period": "1d"}, "unknown unit"),
        ({"controller_manager.node_monitor_grace_period": "40"}, "missing unit"),
        ({"apiserver.default_not_ready_toleration_seconds": "30s"}, "whole number"),
        ({"kubelet.node_lease_duration_seconds": "0"}, "at least 1"),
    ],
)
def test_bad_overrides(overrides: dict, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        profiles.compute("fast", 10, "1.35", overrides=overrides)


def test_bad_requests() -> None:
    with pytest.raises(profiles.ProfileError, match="unknown profile"):
        profiles.compute("turbo", 10)
    with pytest.raises(profiles.ProfileError, match="node count"):
        profiles.compute("fast", -1)
    with pytest.raises(knowledge.KnowledgeError, match="outside the known facts"):
        profiles.compute("fast", 10, "1.23")
    with pytest.raises(knowledge.KnowledgeError, match="cannot parse"):
        profiles.compute("fast", 10, "latest")


def test_default_version_is_kubesprays_newest() -> None:
    assert (
        run("upstream", 3, None)["kube_version"]
        == knowledge.kubespray()["supported_kube_versions"]["default"]
    )  # type: ignore[arg-type]


def test_every_fact_has_a_source() -> None:
    for path, fact in knowledge.setting_facts().items():
        for entry in fact["history"]:
            assert entry.get("source"), path
    for name, fact in kubespray.variables().items():
        assert fact.get("source"), name
    for name, profile in knowledge.profiles_data()["profiles"].items():
        assert profile.get("source"), name


def test_kubespray_vars_put_each_setting_in_one_place() -> None:
    result = profiles.compute("fast", 100, "1.35")
    out = kubespray.to_vars(
        result.settings,
        {"kubelet_config_extra_args": {"maxPods": 200, "nodeStatusUpdateFrequency": "9s"}},
    )
    assert out["kubelet_status_update_frequency"] == "4s"
    assert out["kubelet_config_extra_args"] == {
        "maxPods": 200,
        "nodeStatusReportFrequency": "5m0s",
        "nodeLeaseDurationSeconds": 16,
    }
    assert out["kube_apiserver_pod_eviction_unreachable_timeout_seconds"] == "30"
    assert out["kube_kubeadm_controller_extra_args"]["node-startup-grace-period"] == "1m0s"
    assert all(isinstance(v, str) for v in out["kube_kubeadm_controller_extra_args"].values())


def test_etcd_bytes_use_configurable_sizes() -> None:
    s = profiles.compute("kubespray-default", 62, "1.35").settings
    f = figures.compute(s, 62, lease_bytes=0, node_status_bytes=16800)
    # deckhouse#22175: about 9 GB/day at 62 nodes with a 10s report interval
    assert 8.5e9 < f.etcd_write_bytes_per_day < 9.5e9
