"""Filters and whole-role runs that use node_timing.rules.runner (check_host_vars) and node_timing.render."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from node_layout import kubespray_node
from playbook_runner import play, run_playbook, write_project

NS = "kubetiming.node_timing"
ROLE = f"{NS}.node_timing"
GROUPS = {"kube_control_plane": ["cp1"], "kube_node": ["node1"], "etcd": ["cp1"]}

MANIFEST = """\
# Managed by kubeadm; comments and layout must survive.
apiVersion: v1
kind: Pod
metadata:
  labels:
    component: kube-controller-manager
    tier: control-plane
  name: kube-controller-manager
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-controller-manager
    - --allocate-node-cidrs=true
    - "--node-monitor-grace-period=40s"   # tuned by hand in 2021
    - --kubeconfig=/etc/kubernetes/controller-manager.conf
    - --pod-eviction-timeout=5m0s
    - --leader-elect=true
    image: registry.k8s.io/kube-controller-manager:v1.35.2
    name: kube-controller-manager
  hostNetwork: true
"""

APISERVER = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=10.0.0.1
    - --default-not-ready-toleration-seconds=300
    image: registry.k8s.io/kube-apiserver:v1.35.2
    name: kube-apiserver
"""


def show(name: str, expr: str) -> dict[str, Any]:
    return {"name": name, "ansible.builtin.debug": {"msg": "{{ " + expr + " }}"}}


# kube-controller-manager flags a patch may add, change or remove; every other line must survive.
TIMING_FLAGS = (
    "--node-",
    "--large-cluster",
    "--secondary-node",
    "--unhealthy-zone",
    "--pod-eviction-timeout",
)


def untouched_lines(manifest: str) -> list[str]:
    """The manifest's lines that are not timing flags, byte for byte."""
    return [
        line
        for line in manifest.splitlines(keepends=True)
        if not any(flag in line for flag in TIMING_FLAGS)
    ]


def role_play(**role_vars: Any) -> dict[str, Any]:
    return {
        "name": "node timing",
        "hosts": "all",
        "gather_facts": False,
        "roles": [{"role": ROLE, **role_vars}],
    }


def result_play() -> dict[str, Any]:
    return play([show("result", "node_timing")])


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filter_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("pending-filters")
    tasks = [
        {
            "name": "profile",
            "ansible.builtin.set_fact": {
                "timing": f"{{{{ 'fast' | {NS}.node_timing_profile(nodes=100, kube_version='1.35') }}}}"
            },
        },
        show(
            "check bad", f"hostvars['bad'] | {NS}.node_timing_check(nodes=3, kube_version='1.35')"
        ),
        show(
            "check good", f"hostvars['good'] | {NS}.node_timing_check(nodes=3, kube_version='1.35')"
        ),
        show("kubelet config", f"timing | {NS}.node_timing_kubelet_config"),
        show("controller flags", f"timing | {NS}.node_timing_controller_args"),
        show("controller v1beta4", f"timing | {NS}.node_timing_controller_args(style='v1beta4')"),
        show(
            "controller v1beta3",
            f"timing.settings | {NS}.node_timing_controller_args(style='v1beta3', kube_version='1.30')",
        ),
        show("apiserver flags", f"timing | {NS}.node_timing_apiserver_args"),
        show("apiserver v1beta4", f"timing | {NS}.node_timing_apiserver_args(style='v1beta4')"),
        show("render all", f"timing | {NS}.node_timing_render_all"),
        show("patched", f"manifest | {NS}.node_timing_patch_manifest(timing)"),
        show(
            "patched twice",
            f"manifest | {NS}.node_timing_patch_manifest(timing) | {NS}.node_timing_patch_manifest(timing)",
        ),
        {
            **show("bad style", f"timing | {NS}.node_timing_controller_args(style='yaml')"),
            "ignore_errors": True,
        },
    ]
    playbook, inventory = write_project(
        root,
        [play(tasks, hosts="localhost", vars={"manifest": MANIFEST})],
        groups={"k8s_cluster": ["localhost", "bad", "good"]},
        host_vars={
            "bad": {"kube_controller_node_monitor_grace_period": "15s"},
            "good": {
                "kube_controller_node_monitor_grace_period": "1m0s",
                "kubelet_config_extra_args": {"nodeStatusReportFrequency": "5m0s"},
            },
        },
    )
    result = run_playbook(root, playbook, inventory)
    assert result.rc == 0, str(result)
    return result


def test_check_reports_grace_vs_heartbeat_as_an_error(filter_run: Any) -> None:
    findings = filter_run.debug("check bad")
    errors = [f for f in findings if f["severity"] == "error"]
    assert [f["rule"] for f in errors] == ["grace-vs-heartbeat"]
    assert {"rule", "severity", "message", "path", "line", "column", "hosts"} <= set(errors[0])
    assert not [f for f in filter_run.debug("check good") if f["severity"] == "error"]


def test_kubelet_config(filter_run: Any) -> None:
    config = filter_run.debug("kubelet config")
    assert config["kind"] == "KubeletConfiguration"
    assert config["nodeStatusUpdateFrequency"] == "4s"
    assert config["nodeStatusReportFrequency"] == "5m0s"
    assert config["nodeLeaseDurationSeconds"] == 16


def test_controller_and_apiserver_args_in_three_styles(filter_run: Any) -> None:
    flags = filter_run.debug("controller flags")
    assert "--node-monitor-grace-period=20s" in flags
    assert not any(f.startswith("--pod-eviction-timeout") for f in flags)
    assert {"name": "node-monitor-period", "value": "2s"} in filter_run.debug("controller v1beta4")
    assert filter_run.debug("controller v1beta3")["node-monitor-grace-period"] == "20s"
    assert "--default-unreachable-toleration-seconds=30" in filter_run.debug("apiserver flags")
    assert {"name": "default-not-ready-toleration-seconds", "value": "30"} in filter_run.debug(
        "apiserver v1beta4"
    )
    message = filter_run.task("bad style")["localhost"]["msg"]
    assert "flags, v1beta3, v1beta4" in message


def test_render_all_gives_text_files(filter_run: Any) -> None:
    files = filter_run.debug("render all")
    assert files and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())


def test_patch_manifest_changes_only_the_flags(filter_run: Any) -> None:
    patched = filter_run.debug("patched")
    assert filter_run.debug("patched twice") == patched
    assert '    - "--node-monitor-grace-period=20s"   # tuned by hand in 2021\n' in patched
    assert "--pod-eviction-timeout" not in patched
    assert untouched_lines(patched) == untouched_lines(MANIFEST)


# --- the whole role --------------------------------------------------------------------------


def test_role_passes_on_upstream_defaults(tmp_path: Path) -> None:
    playbook, inventory = write_project(
        tmp_path,
        [role_play(), result_play(), role_play(node_timing_profile="upstream"), result_play()],
        groups=GROUPS,
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    facts = [r["node1"]["msg"] for r in _each_run(result, "result")]
    # no profile: checked, nothing computed
    assert facts[0]["profile"] is None and "settings" not in facts[0]
    assert not [f for f in facts[0]["findings"] if f["severity"] == "error"]
    # upstream, asked for
    assert set(facts[1]) >= {"settings", "figures", "findings", "kubespray"}
    assert not [f for f in facts[1]["findings"] if f["severity"] == "error"]
    assert facts[1]["settings"]["controller_manager"]["node_monitor_grace_period"] == "50s"


def _each_run(result: Any, name: str) -> list[dict[str, Any]]:
    """Host → result of every run of the task called ``name``, in order."""
    return [
        task["hosts"]
        for p in result.data.get("plays", [])
        for task in p.get("tasks", [])
        if task["task"]["name"] == name
    ]


def test_role_fails_on_grace_shorter_than_two_heartbeats(tmp_path: Path) -> None:
    playbook, inventory = write_project(
        tmp_path,
        [role_play()],
        groups=GROUPS,
        group_vars={"all": {"kube_controller_node_monitor_grace_period": "15s"}},
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc != 0
    report = result.task("Report the timing findings")
    lines = next(iter(report.values()))["msg"]
    line = next(line for line in lines if "grace-vs-heartbeat" in line)
    assert line.startswith("error: grace-vs-heartbeat at ")
    # the file and line Ansible read the value from (ansible_pos up to 2.18, Origin tag in 2.19)
    assert re.search(r"group_vars/all\.ya?ml:\d+:\d+", line), line
    assert "cp1" in line and "node1" in line
    failed = result.task("Stop on timing findings at or above node_timing_fail_on")
    assert "node_timing_fail_on=error" in next(iter(failed.values()))["msg"]


def test_role_only_reports_with_fail_on_never_and_moves_its_verdict_with_thresholds(
    tmp_path: Path,
) -> None:
    """One run, three plays: the defaults (an error, reported only), node_timing_thresholds
    moving the error level below 1.5 heartbeats (a warning: the play passes with fail_on=error),
    then an unknown threshold, which fails the play once with the filter's line."""
    keep = {"node_timing_export_kubespray_vars": False}  # each play checks the inventory's 15s
    moved = {"grace-vs-heartbeat.error": 1}
    playbook, inventory = write_project(
        tmp_path,
        [
            role_play(node_timing_fail_on="never", **keep),
            play([show("defaults", "node_timing")]),
            role_play(node_timing_thresholds=moved, **keep),
            play([show("moved", "node_timing")]),
            role_play(node_timing_thresholds={"grace-vs-heartbeat.eror": 1}, **keep),
        ],
        groups=GROUPS,
        group_vars={"all": {"kube_controller_node_monitor_grace_period": "15s"}},
    )
    result = run_playbook(tmp_path, playbook, inventory)
    rules = {
        name: {
            f["rule"]: f["severity"]
            for f in result.debug(name, "cp1")["findings"]
            if f["rule"] == "grace-vs-heartbeat"
        }
        for name in ("defaults", "moved")
    }
    assert rules == {
        "defaults": {"grace-vs-heartbeat": "error"},
        "moved": {"grace-vs-heartbeat": "warning"},
    }, str(result)
    assert not [f for f in result.debug("moved", "cp1")["findings"] if f["severity"] == "error"]
    assert result.rc != 0
    failed = result.task("Check each distinct set of timing variables")
    assert [h for h, r in failed.items() if r.get("failed")] == ["cp1"]  # once, not per host
    assert (
        "node_timing_check: thresholds: unknown threshold 'grace-vs-heartbeat.eror'; "
        "did you mean grace-vs-heartbeat.error?" in failed["cp1"]["msg"]
    )


def test_role_renders_files_on_the_controller(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    playbook, inventory = write_project(
        tmp_path,
        [role_play(node_timing_render_dir=str(out), node_timing_profile="fast"), result_play()],
        groups=GROUPS,
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written and any(name.endswith(".yml") or name.endswith(".yaml") for name in written)
    again = run_playbook(tmp_path, playbook, inventory)
    assert again.rc == 0 and again.changed() == 0, str(again)


def test_role_runs_each_task_once_per_play_and_exports_each_hosts_own_dicts(
    tmp_path: Path,
) -> None:
    """Without apply, no task of the role runs on every host: the cost must not grow with the
    inventory. Hosts still get their own merged extra-args dicts, in a later play."""
    workers = [f"node{i}" for i in range(1, 9)]
    groups = {"kube_control_plane": ["cp1"], "kube_node": workers, "etcd": ["cp1"]}
    out = tmp_path / "rendered"
    playbook, inventory = write_project(
        tmp_path,
        [
            role_play(node_timing_profile="fast", node_timing_render_dir=str(out)),
            play(
                [show("exported", "[kubelet_config_extra_args, kubelet_status_update_frequency]")]
            ),
        ],
        groups=groups,
        group_vars={"all": {"kubelet_config_extra_args": {"maxPods": 110}}},
        host_vars={
            "node3": {"kubelet_config_extra_args": {"maxPods": 250}},
            "node5": {"kubelet_config_extra_args": {"maxPods": 250, "serializeImagePulls": False}},
        },
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    role_tasks = result.data["plays"][0]["tasks"]
    assert len(role_tasks) >= 8, [t["task"]["name"] for t in role_tasks]
    per_host = {t["task"]["name"]: sorted(t["hosts"]) for t in role_tasks if len(t["hosts"]) > 1}
    assert per_host == {}
    assert any(p.is_file() for p in out.rglob("*"))
    exported = {h: result.debug("exported", h) for h in ["cp1", *workers]}
    assert {h: e[1] for h, e in exported.items()} == dict.fromkeys(exported, "4s")
    dicts = {h: e[0] for h, e in exported.items()}
    assert all(d["nodeLeaseDurationSeconds"] == 16 for d in dicts.values())
    assert {h: d["maxPods"] for h, d in dicts.items()} == {
        **dict.fromkeys(exported, 110),
        "node3": 250,
        "node5": 250,
    }
    assert dicts["node5"]["serializeImagePulls"] is False
    assert not any("serializeImagePulls" in d for h, d in dicts.items() if h != "node5")


def test_apply_follows_each_hosts_own_node_timing_apply(tmp_path: Path) -> None:
    """The first host does not apply, one host asks for it in its host_vars: only that host's
    kubelet configuration changes."""
    node = tmp_path / "node"
    for host in ("cp1", "node1", "node2"):
        kubespray_node(node / host)
    before = {p: p.read_bytes() for p in node.rglob("kubelet-config.yaml")}
    role_vars = {
        "node_timing_node_root": str(node / "{{ inventory_hostname }}"),
        "node_timing_profile": "fast",
    }
    playbook, inventory = write_project(
        tmp_path,
        [role_play(**role_vars)],
        groups={"kube_control_plane": ["cp1"], "kube_node": ["node1", "node2"], "etcd": ["cp1"]},
        host_vars={"node2": {"node_timing_apply": True}},
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    changed = sorted(p.parents[2].name for p, data in before.items() if p.read_bytes() != data)
    assert changed == ["node2"]


def test_check_only_role_exports_nothing(tmp_path: Path) -> None:
    """node_timing_export_kubespray_vars: false, as examples/playbooks/check.yml does."""
    playbook, inventory = write_project(
        tmp_path,
        [
            role_play(node_timing_profile="fast", node_timing_export_kubespray_vars=False),
            play([show("exported", "kubelet_status_update_frequency | default('not set')")]),
        ],
        groups=GROUPS,
    )
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    assert result.debug("exported", "node1") == "not set"
    assert result.debug("exported", "cp1") == "not set"
