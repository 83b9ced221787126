"""The role's apply on nodes laid out as kubespray and as kubeadm lay them out (tests/node_layout.py),
each under its own node root: afterwards the kubelet's effective timing, computed from its own files
by the same reader `node-timing` uses for deployed nodes, is the profile's, and the control plane's
static Pods carry the profile's flags with every other byte as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from node_layout import kubeadm_node, kubespray_node, write
from playbook_runner import Result, run_playbook, write_project
from test_role_and_render_filters import APISERVER, MANIFEST, untouched_lines

from node_timing import profiles
from node_timing.deployed.kubelet import LEASE, REPORT, UPDATE, read_kubelet
from node_timing.knowledge import KubeVersion

ROLE = "kubetiming.node_timing.node_timing"
VERSION = "1.35"
GROUPS = {"kube_control_plane": ["cp1"], "kube_node": ["spray1", "adm1"], "etcd": ["cp1"]}
LAYOUT = {"cp1": "kubespray", "spray1": "kubespray", "adm1": "kubeadm"}
HTTP2_IDLE = "kubelet.http2_read_idle_timeout_seconds"
HTTP2_PING = "kubelet.http2_ping_timeout_seconds"


def wanted(profile: str, nodes: int = 3) -> dict[str, Any]:
    s = profiles.compute(profile, nodes, kube_version=VERSION).settings
    report = s.kubelet.node_status_report_frequency
    return {
        UPDATE: s.kubelet.node_status_update_frequency,
        REPORT: report if report is not None else s.kubelet.node_status_update_frequency,
        LEASE: s.kubelet.node_lease_duration_seconds,
        HTTP2_IDLE: s.get(HTTP2_IDLE),
        HTTP2_PING: s.get(HTTP2_PING),
    }


def effective(root: Path) -> dict[str, Any]:
    state = read_kubelet(str(root), KubeVersion.parse(VERSION))
    assert not state.problems, state.problems
    values = dict(state.settings)
    if values[REPORT] is None:
        values[REPORT] = values[UPDATE]
    return {path: values[path] for path in (UPDATE, REPORT, LEASE, HTTP2_IDLE, HTTP2_PING)}


def make_nodes(base: Path) -> dict[str, Path]:
    roots = {}
    for host, layout in LAYOUT.items():
        root = base / host
        if layout == "kubespray":
            kubespray_node(root)
        else:
            kubeadm_node(root)
        roots[host] = root
    # kubeadm's static Pods, one with a comment and a removed flag that the patch must handle
    write(roots["cp1"], "/etc/kubernetes/manifests/kube-controller-manager.yaml", MANIFEST)
    write(roots["cp1"], "/etc/kubernetes/manifests/kube-apiserver.yaml", APISERVER)
    return roots


def snapshot(base: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()
    }


def project(
    tmp_path: Path,
    base: Path,
    host_vars: dict[str, dict[str, Any]] | None = None,
    **extra: Any,
) -> tuple[Path, Path, dict[str, Any]]:
    role_vars = {
        "node_timing_profile": "fast",
        "node_timing_kube_version": VERSION,
        "node_timing_apply": True,
        "node_timing_node_root": str(base / "{{ inventory_hostname }}"),
        **extra,
    }
    plays = [
        {
            "name": "apply",
            "hosts": "all",
            "gather_facts": False,
            "roles": [{"role": ROLE, **role_vars}],
        }
    ]
    playbook, inventory = write_project(tmp_path, plays, groups=GROUPS, host_vars=host_vars)
    return playbook, inventory, role_vars


def handler_ran(result: Result) -> bool:
    for play in result.data.get("plays", []):
        for task in play.get("tasks", []):
            if task["task"]["name"].endswith("Restart kubelet"):
                return any(not h.get("skipped") for h in task["hosts"].values())
    return False


def test_apply_sets_what_the_kubelet_reads_on_kubespray_and_kubeadm_nodes(tmp_path: Path) -> None:
    base = tmp_path / "nodes"
    roots = make_nodes(base)
    fast = wanted("fast")
    for root in roots.values():
        assert effective(root) != fast  # the test would prove nothing otherwise
    # what `render` writes into kubespray/node-timing.yml for one host is what apply installs there
    own_http2 = {
        "node_timing_http2_read_idle_timeout_seconds": 7,
        "node_timing_http2_ping_timeout_seconds": 3,
        "node_timing_kubelet_disable_http2": True,
    }
    expected = {host: fast for host in roots}
    expected["adm1"] = {**fast, HTTP2_IDLE: 7, HTTP2_PING: 3}
    playbook, inventory, _ = project(tmp_path, base, host_vars={"adm1": own_http2})
    before = snapshot(base)

    checked = run_playbook(tmp_path, playbook, inventory, "--check", "--diff")
    assert checked.rc == 0, str(checked)
    assert checked.changed() > 0
    assert snapshot(base) == before

    applied = run_playbook(tmp_path, playbook, inventory, "--diff")
    assert applied.rc == 0, str(applied)
    for host, root in roots.items():
        assert effective(root) == expected[host], host
    assert not handler_ran(applied)  # notified, but the node root is not "/"
    # kubespray: the --config file that kubelet.env names, every other line as it was
    config = roots["spray1"] / "etc/kubernetes/kubelet-config.yaml"
    old = before["spray1/etc/kubernetes/kubelet-config.yaml"].decode().splitlines()
    new = config.read_text(encoding="utf-8").splitlines()
    timing = ("nodeStatusUpdateFrequency", "nodeStatusReportFrequency", "nodeLeaseDurationSeconds")
    assert [ln for ln in new if not ln.startswith(timing)] == [
        ln for ln in old if not ln.startswith(timing)
    ]
    assert "nodeStatusUpdateFrequency: 4s" in new
    # kubeadm: /var/lib/kubelet/config.yaml, whose 0s (unset) fields are now set
    adm = (roots["adm1"] / "var/lib/kubelet/config.yaml").read_text(encoding="utf-8")
    assert "nodeStatusReportFrequency: 5m0s\n" in adm
    assert "nodeLeaseDurationSeconds: 16\n" in adm
    # nothing the kubelet does not read: no --config-dir drop-in
    assert not list(base.rglob("kubelet.conf.d"))
    # kubespray's HTTP/2 drop-in, which kubelet.service reads
    for host in ("cp1", "spray1"):
        dropin = roots[host] / "etc/systemd/system/kubelet.service.d/50-node-timing-http2.conf"
        assert 'Environment="HTTP2_READ_IDLE_TIMEOUT_SECONDS=10"' in dropin.read_text("utf-8")
        assert "DISABLE_HTTP2" not in dropin.read_text("utf-8")
    # node_timing_kubelet_disable_http2 on one host: that host's drop-in sets DISABLE_HTTP2
    adm_dropin = roots["adm1"] / "etc/systemd/system/kubelet.service.d/50-node-timing-http2.conf"
    assert 'Environment="DISABLE_HTTP2=true"' in adm_dropin.read_text("utf-8")
    # the control plane's manifests: only the timing flags change, comments and layout survive,
    # and each original is kept in the backup directory
    manifests = roots["cp1"] / "etc/kubernetes/manifests"
    patched = (manifests / "kube-controller-manager.yaml").read_text(encoding="utf-8")
    assert '    - "--node-monitor-grace-period=20s"   # tuned by hand in 2021\n' in patched
    assert untouched_lines(patched) == untouched_lines(MANIFEST)
    apiserver = (manifests / "kube-apiserver.yaml").read_text(encoding="utf-8")
    assert "--default-not-ready-toleration-seconds=30" in apiserver
    backup_dir = roots["cp1"] / "etc/kubernetes/node-timing-backup"
    backups = sorted(p for p in backup_dir.rglob("*") if p.is_file())
    assert len(backups) == 2, backups
    controller_backup = next(p for p in backups if "controller-manager" in p.name)
    assert controller_backup.read_bytes() == MANIFEST.encode()

    after = snapshot(base)
    again = run_playbook(tmp_path, playbook, inventory)
    assert again.rc == 0, str(again)
    assert again.changed() == 0, json.dumps(again.stats)
    assert snapshot(base) == after
    checked_again = run_playbook(tmp_path, playbook, inventory, "--check")
    assert checked_again.rc == 0 and checked_again.changed() == 0, str(checked_again)


def test_each_host_fails_on_its_own_problem_and_the_others_land(tmp_path: Path) -> None:
    """One run, one problem per host: spray1's kubelet_custom_flags carry
    --node-status-update-frequency, which beats the config file (the verification says so instead
    of reporting success); adm1 has no kubelet files at all (one clear failure); cp1 has neither
    and gets the profile."""
    base = tmp_path / "nodes"
    roots = make_nodes(base)
    kubespray_node(roots["spray1"], custom_flags="--node-status-update-frequency=10s")
    for path in sorted(roots["adm1"].rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()
    playbook, inventory, _ = project(tmp_path, base)
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc != 0
    verified = result.task("Verify the kubelet's effective timing")
    assert not verified["cp1"].get("failed"), verified["cp1"]
    message = str(verified["spray1"].get("msg", ""))
    assert verified["spray1"].get("failed"), str(result)
    assert "kubelet.node_status_update_frequency is 10s" in message, message
    assert "--node-status-update-frequency" in message
    assert "kubelet.env" in message
    missing = result.task("Stop when the kubelet's configuration file is not found")
    assert "no kubelet configuration file" in missing["adm1"]["msg"]
    assert effective(roots["cp1"]) == wanted("fast")


# The same tasks as the fast profile's apply above, with other numbers: what ansible-core does with
# them is tested there, on every ansible-core.
@pytest.mark.one_core
@pytest.mark.parametrize("profile", ["medium", "low"])
def test_other_profiles_land_too(tmp_path: Path, profile: str) -> None:
    base = tmp_path / "nodes"
    roots = make_nodes(base)
    playbook, inventory, _ = project(tmp_path, base, node_timing_profile=profile)
    result = run_playbook(tmp_path, playbook, inventory)
    assert result.rc == 0, str(result)
    for root in roots.values():
        assert effective(root) == wanted(profile)
