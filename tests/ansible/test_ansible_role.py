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
        play([include("compute", node_timing_profile="fast"), include("export")]),
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
