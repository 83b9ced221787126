"""The node_timing role through real ansible-playbook: inputs, computing and exporting.

Runs of the whole role need the lint and render modules: see test_filters_pending.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playbook_runner import play, run_playbook, write_project

ROLE = "kubetiming.node_timing.node_timing"
GROUPS = {
    "kube_control_plane": ["cp1"],
    "kube_node": ["node1", "node2"],
    "etcd": ["cp1"],
    "calico_rr": [],
}


def include(tasks_from: str, **role_vars: Any) -> dict[str, Any]:
    return {
        "name": f"node_timing {tasks_from}",
        "ansible.builtin.include_role": {"name": ROLE, "tasks_from": tasks_from},
        "vars": role_vars,
    }


def show(name: str, expr: str) -> dict[str, Any]:
    return {"name": name, "ansible.builtin.debug": {"msg": "{{ " + expr + " }}"}}


def test_role_rejects_a_bad_choice_before_doing_anything(tmp_path: Path) -> None:
    plays = [
        {
            "name": "test",
            "hosts": "all",
            "gather_facts": False,
            "roles": [{"role": ROLE, "node_timing_fail_on": "sometimes"}],
        }
    ]
    playbook, inventory = write_project(tmp_path, plays, groups=GROUPS)
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc != 0
    assert "node_timing_fail_on" in result.stdout
    assert "sometimes" in result.stdout


def test_compute_and_export_for_kubespray(tmp_path: Path) -> None:
    """No k8s_cluster group: the node count is the union of kubespray's cluster groups. The
    exported facts reach a later play, and each host keeps its own other extra args."""
    plays = [
        play(
            [
                include("compute", node_timing_profile="fast"),
                include("export", node_timing_profile="fast"),
            ]
        ),
        play(
            [
                show(
                    "exported",
                    "{'grace': kube_controller_node_monitor_grace_period, 'kubelet': kubelet_config_extra_args | default({}), 'update': kubelet_status_update_frequency}",
                ),
                show("profile", "__node_timing_profile | combine({'kubespray': {}})"),
            ]
        ),
    ]
    playbook, inventory = write_project(
        tmp_path,
        plays,
        groups=GROUPS,
        group_vars={
            "all": {
                "kube_version": "1.35.2",
                "kubelet_config_extra_args": {"maxPods": 110, "nodeStatusUpdateFrequency": "8s"},
            }
        },
        host_vars={"node2": {"kubelet_config_extra_args": {"maxPods": 250}}},
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    profile = result.debug("profile", "cp1")
    assert profile["nodes"] == 3
    assert profile["kube_version"] == "1.35.2"
    assert profile["profile"] == "fast"
    exported = {host: result.debug("exported", host) for host in ("cp1", "node1", "node2")}
    for values in exported.values():
        assert values["grace"] == "20s"
        assert values["update"] == "4s"
        assert values["kubelet"]["nodeLeaseDurationSeconds"] == 16
        assert "nodeStatusUpdateFrequency" not in values["kubelet"]
    assert exported["node1"]["kubelet"]["maxPods"] == 110
    assert exported["node2"]["kubelet"]["maxPods"] == 250


# kubespray variables of a consistent inventory (`node-timing profile fast --nodes 3`), with the
# kubelet HTTP/2 timeouts a 20s grace needs, in group_vars/k8s_cluster/k8s-cluster.yml
FAST_K8S_CLUSTER = """\
---
kube_version: 1.35.2
kubelet_status_update_frequency: 4s
kube_controller_node_monitor_grace_period: 20s
kube_controller_node_monitor_period: 2s
kube_apiserver_pod_eviction_not_ready_timeout_seconds: "30"
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "30"
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
  nodeLeaseDurationSeconds: 16
node_timing_http2_read_idle_timeout_seconds: 10
node_timing_http2_ping_timeout_seconds: 5
"""
AFTER = play(
    [
        show(
            "after",
            "{'grace': kube_controller_node_monitor_grace_period, "
            "'lease': (kubelet_config_extra_args | default({})).nodeLeaseDurationSeconds | default(none), "
            "'not_ready': kube_apiserver_pod_eviction_not_ready_timeout_seconds}",
        )
    ]
)


def _fast_inventory(tmp_path: Path, plays: list[dict[str, Any]]) -> tuple[Path, Path]:
    groups = {**GROUPS, "k8s_cluster:children": ["kube_control_plane", "kube_node"]}
    playbook, inventory = write_project(tmp_path, plays, groups=groups)
    (inventory / "group_vars" / "k8s_cluster").mkdir(parents=True)
    (inventory / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(FAST_K8S_CLUSTER)
    return playbook, inventory


def test_the_role_alone_changes_nothing(tmp_path: Path) -> None:
    """Only the role, no variables, in front of a play that reads kubespray's variables: the
    inventory's values reach it unchanged, and the role says nothing about replacing them."""
    plays = [{"name": "timing", "hosts": "all", "gather_facts": False, "roles": [{"role": ROLE}]}]
    playbook, inventory = _fast_inventory(tmp_path, [*plays, AFTER])
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    for host in ("cp1", "node1", "node2"):
        assert result.debug("after", host) == {"grace": "20s", "lease": 16, "not_ready": "30"}
    assert "node-timing: profile" not in result.stdout
    report = result.task("Report the kubespray variables the profile replaces")
    assert all(r.get("skipped") for r in report.values()), report


def test_an_explicit_profile_is_exported_saying_what_it_replaces(tmp_path: Path) -> None:
    plays = [
        {
            "name": "timing",
            "hosts": "all",
            "gather_facts": False,
            "roles": [{"role": ROLE, "node_timing_profile": "upstream"}],
        }
    ]
    playbook, inventory = _fast_inventory(tmp_path, [*plays, AFTER])
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    for host in ("cp1", "node1", "node2"):
        assert result.debug("after", host) == {"grace": "50s", "lease": 40, "not_ready": "300"}
    lines = result.debug("Report the kubespray variables the profile replaces", "cp1")
    where = "group_vars/k8s_cluster/k8s-cluster.yml"
    assert lines[0] == "node-timing: profile upstream replaces, for the plays that follow:"
    assert f"kube_controller_node_monitor_grace_period: 20s -> 50s ({where}:4)" in lines
    assert f"kubelet_status_update_frequency: 4s -> 10s ({where}:3)" in lines
    assert f"kube_apiserver_pod_eviction_not_ready_timeout_seconds: 30 -> 300 ({where}:6)" in lines
    assert f"kubelet_config_extra_args.nodeLeaseDurationSeconds: 16 -> 40 ({where}:10)" in lines, (
        "\n".join(lines)
    )
    # a value the profile keeps is not listed
    assert not [line for line in lines if "nodeStatusReportFrequency" in line], lines


def test_profile_drift_is_the_same_in_the_role_and_in_lint(tmp_path: Path) -> None:
    """node_timing_profile in the inventory, one value changed by hand: the role's check reports
    the profile-drift lint reports, on the same line, before anything is exported."""
    import json
    import subprocess
    import sys

    plays = [{"name": "timing", "hosts": "all", "gather_facts": False, "roles": [{"role": ROLE}]}]
    playbook, inventory = _fast_inventory(tmp_path, plays)
    k8s = inventory / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    k8s.write_text(
        FAST_K8S_CLUSTER.replace("grace_period: 20s", "grace_period: 30s")
        + "node_timing_profile: fast\n"
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)  # profile-drift is a warning
    checked = result.task("Check each distinct set of timing variables")["cp1"]
    role = [
        (f["rule"], Path(f["path"]).name, f["line"], f.get("setting"))
        for f in checked["ansible_facts"]["__node_timing_findings"]
    ]
    lint = subprocess.run(
        [sys.executable, "-m", "node_timing", "lint", str(inventory), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    linted = [
        (f["rule"], Path(f["path"]).name, f["line"], f.get("setting"))
        for f in json.loads(lint.stdout)
    ]
    drift = ("profile-drift", "k8s-cluster.yml", 4, "controller_manager.node_monitor_grace_period")
    assert drift in role and drift in linted, (role, linted)
    assert sorted(r for r in role if r[0] == "profile-drift") == sorted(
        r for r in linted if r[0] == "profile-drift"
    )
    # the profile in the inventory is explicit: exported after the check, said so
    lines = result.debug("Report the kubespray variables the profile replaces", "cp1")
    where = "group_vars/k8s_cluster/k8s-cluster.yml:4"
    assert f"kube_controller_node_monitor_grace_period: 30s -> 20s ({where})" in lines
