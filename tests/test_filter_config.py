"""The configuration the role hands its filters (``node_timing_check``, ``node_timing_verify``):
``thresholds`` moves a verdict as `thresholds:` in .node-timing.yml does, with the same refusals
as one line naming the filter; ``skip_list`` and ``warn_list`` silence as lint's do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from node_layout import kubeadm_node, static_pod, write
from test_thresholds import FLIPS, _rank
from test_verify_held import texts

from node_timing.ansible_filters.check import node_timing_check, node_timing_verify
from node_timing.ansible_filters.convert import FilterError

FLAPPING = {"kube_controller_node_monitor_grace_period": "15s"}  # 1.5 heartbeats of 10s: an error


def check(variables: dict[str, Any], **config: Any) -> list[dict[str, Any]]:
    return node_timing_check(variables, nodes=3, kube_version="1.35", **config)


def of(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule]


@pytest.mark.parametrize(("name", "value", "variables", "rule", "before", "after"), FLIPS)
def test_a_threshold_handed_to_the_check_filter_flips_its_verdict(
    name: str, value: float, variables: str, rule: str, before: set[str], after: set[str]
) -> None:
    host_vars = yaml.safe_load(variables)
    default = of(check(host_vars), rule)
    assert {f["severity"] for f in default} == before
    moved = of(check(host_vars, thresholds={name: value}), rule)
    assert {f["severity"] for f in moved} == after
    # per_host (the role's call) groups the hosts and reads the same thresholds
    grouped = node_timing_check(
        {"h1": host_vars, "h2": host_vars},
        nodes=3,
        kube_version="1.35",
        per_host=True,
        thresholds={name: value},
    )
    assert {f["severity"] for f in of(grouped, rule)} == after
    if _rank(after) > _rank(before):
        # the finding the moved value made (or raised) says where that value comes from
        (raised,) = [f for f in moved if f["severity"] not in before]
        assert f"{name} configured in the play's thresholds" in raised["message"]


def _control_plane_node(tmp_path: Path) -> dict[str, str]:
    """A kubeadm control plane running a 40s grace with 10s heartbeats: 4, a warning below 5."""
    node = kubeadm_node(tmp_path / "cp", fields={"nodeStatusUpdateFrequency": "10s"})
    flags = {"node-monitor-grace-period": "40s"}
    write(node, "/etc/kubernetes/manifests/kube-controller-manager.yaml", static_pod("kube-controller-manager", flags))  # fmt: skip
    write(node, "/etc/kubernetes/manifests/kube-apiserver.yaml", static_pod("kube-apiserver", {}))
    return texts(node)


def test_a_threshold_handed_to_the_verify_filter_moves_what_the_nodes_are_held_to(
    tmp_path: Path,
) -> None:
    files = {"cp": _control_plane_node(tmp_path)}
    hosts = {"cp": {"kube_version": "1.33.5", "kube_controller_node_monitor_grace_period": "40s"}}

    def verdict(**config: Any) -> set[str]:
        found = node_timing_verify(files, hosts, control_plane=["cp"], **config)
        return {f["severity"] for f in of(found, "grace-vs-heartbeat")}

    assert verdict() == {"warning"}
    assert verdict(thresholds={"grace-vs-heartbeat.warning": 4}) == set()
    assert verdict(thresholds={"grace-vs-heartbeat.error": 5}) == {"error"}
    assert verdict(
        warn_list=["grace-vs-heartbeat"], thresholds={"grace-vs-heartbeat.error": 5}
    ) == {"warning"}
    assert verdict(skip_list=["grace-vs-heartbeat"]) == set()


def test_no_configuration_is_the_defaults() -> None:
    default = check(FLAPPING)
    assert of(default, "grace-vs-heartbeat")
    assert check(FLAPPING, thresholds={}, skip_list=[], warn_list=[]) == default
    assert check(FLAPPING, thresholds=None, skip_list=None, warn_list=None) == default


def test_skip_list_drops_and_warn_list_demotes_as_lint_does() -> None:
    assert [f["severity"] for f in of(check(FLAPPING), "grace-vs-heartbeat")] == ["error"]
    demoted = check(FLAPPING, warn_list=["grace-vs-heartbeat"])
    assert [f["severity"] for f in of(demoted, "grace-vs-heartbeat")] == ["warning"]
    skipped = check(FLAPPING, skip_list=["grace-vs-heartbeat"])
    assert of(skipped, "grace-vs-heartbeat") == []
    assert of(skipped, "grace-vs-http2")  # only the named rule


BAD = [
    (
        {"thresholds": {"grace-vs-heartbeat.eror": 3}},
        "thresholds: unknown threshold 'grace-vs-heartbeat.eror'; did you mean "
        "grace-vs-heartbeat.error?",
    ),
    (
        {"thresholds": {"eviction-rate.zone-threshold-warning": 0.9}},
        "thresholds: eviction-rate.zone-threshold-warning is not configurable: it is what "
        "Kubernetes does (upstream)",
    ),
    (
        {"thresholds": {"grace-vs-heartbeat.warning": "4"}},
        "thresholds: grace-vs-heartbeat.warning must be an integer from 1 to 1000, got '4'",
    ),
    (
        {"thresholds": {"grace-vs-heartbeat.warning": True}},
        "thresholds: grace-vs-heartbeat.warning must be an integer from 1 to 1000, got True",
    ),
    (
        {"thresholds": {"monitor-period.info": float("nan")}},
        "thresholds: monitor-period.info must be a number above 0 up to 100, got nan",
    ),
    (
        {"thresholds": {"startup-grace.info": 0}},
        "thresholds: startup-grace.info must be a number above 0",
    ),
    (
        {"thresholds": {"grace-vs-heartbeat.error": 6}},
        "thresholds: grace-vs-heartbeat.error (6) may not exceed grace-vs-heartbeat.warning (5); "
        "grace-vs-heartbeat.warning is the default",
    ),
    ({"thresholds": [1]}, "thresholds must be a mapping of threshold name to value"),
    ({"thresholds": "grace-vs-heartbeat.warning=4"}, "thresholds must be a mapping"),
    (
        {"skip_list": ["grace-vs-hartbeat"]},
        "skip_list names unknown rule(s) 'grace-vs-hartbeat'; `node-timing rules` lists the ids",
    ),
    ({"warn_list": "grace-vs-heartbeat"}, "warn_list must be a list of rule ids, got "),
    ({"warn_list": [3]}, "warn_list must be a list of rule ids, got [3]"),
]


@pytest.mark.parametrize(("config", "says"), BAD)
def test_a_bad_configuration_is_one_line_naming_the_filter_and_the_key(
    config: dict[str, Any], says: str
) -> None:
    with pytest.raises(FilterError) as raised:
        check(FLAPPING, **config)
    assert str(raised.value).startswith(f"node_timing_check: {says}"), str(raised.value)
    assert "\n" not in str(raised.value)
    # verify refuses it before reading anything, naming itself
    with pytest.raises(FilterError) as raised:
        node_timing_verify({"h": {}}, {"h": {}}, **config)
    assert str(raised.value).startswith(f"node_timing_verify: {says}"), str(raised.value)
