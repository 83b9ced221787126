"""The role's apply and verify never leave node_timing_node_root (hostile node roots).

Node roots are mounted images and chroots: their links may point anywhere on the controller.
Each case below is a node root with a link out of it, or a role variable naming a path above it;
the play must write nothing and read nothing outside the root, and say so. The files outside
carry a marker value that must appear in no output (``-v`` prints every module result). Apply
also keeps the kubelet configuration's mode and owner, with its backup beside it.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from node_layout import control_plane, kubespray_kubelet_config, kubespray_node, write
from playbook_runner import Result, ansible_bin, base_env, run_playbook, write_project

pytestmark = pytest.mark.ansible

ROLE = "kubetiming.node_timing.node_timing"
GROUPS = {
    "kube_control_plane": ["cp1"],
    "kube_node": ["cp1", "linked", "config_link", "escape", "climb"],
    "etcd": ["cp1"],
}
MARKER = "4242"  # the lease duration of every file outside the roots
OWNER = 1234
CONFIG = "/etc/kubernetes/kubelet-config.yaml"


def _tree(base: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(base)): (p.read_bytes(), p.lstat().st_mode)
        for p in sorted(base.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def make_nodes(tmp_path: Path) -> tuple[Path, Path]:
    """``nodes/<host>`` roots and ``outside/``, which no run may read or change."""
    base, outside = tmp_path / "nodes", tmp_path / "outside"
    # the controller's own kubespray-like directory, which a node root's link points at
    kubespray_node(outside / "k8s", extra={"nodeLeaseDurationSeconds": int(MARKER)})
    write(outside, "/secret.yaml", kubespray_kubelet_config({"nodeLeaseDurationSeconds": 4242}))
    for host in GROUPS["kube_node"]:
        kubespray_node(base / host)
    control_plane(
        base / "cp1",
        controller={"node-monitor-grace-period": "40s", "node-monitor-period": "5s"},
        apiserver={"default-not-ready-toleration-seconds": "300"},
    )
    # cp1: a kubelet configuration owned by someone else, mode 0640, and a 0600 manifest
    config = base / "cp1" / CONFIG.lstrip("/")
    os.chown(config, OWNER, OWNER)
    config.chmod(0o640)
    manifest = base / "cp1/etc/kubernetes/manifests/kube-controller-manager.yaml"
    manifest.chmod(0o600)
    # linked: /etc/kubernetes is an absolute link to the controller's directory
    linked = base / "linked" / "etc/kubernetes"
    for p in sorted(linked.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    linked.rmdir()
    linked.symlink_to(outside / "k8s" / "etc/kubernetes")
    # config_link: the kubelet's configuration file is a link to a file outside
    target = base / "config_link" / CONFIG.lstrip("/")
    target.unlink()
    target.symlink_to(outside / "secret.yaml")
    # climb: a relative link that climbs out of the root
    climb = base / "climb" / "etc/systemd/system"
    (climb / "kubelet.service.d").mkdir(parents=True, exist_ok=True)
    os.symlink("../../../../../../outside/k8s/etc/kubernetes", climb / "kubelet.service.d" / "up")
    return base, outside


def project(tmp_path: Path, base: Path, **role_vars: Any) -> tuple[Path, Path]:
    plays = [
        {
            "name": "hostile node roots",
            "hosts": "all",
            "gather_facts": False,
            "roles": [
                {
                    "role": ROLE,
                    "node_timing_profile": "fast",
                    "node_timing_kube_version": "1.35",
                    "node_timing_node_root": str(base / "{{ inventory_hostname }}"),
                    **role_vars,
                }
            ],
        }
    ]
    host_vars = {
        "escape": {"node_timing_kubelet_env_dir": "/../../escape"},
        "climb": {"node_timing_kubelet_env_dir": "/etc/systemd/system/kubelet.service.d/up"},
    }
    return write_project(tmp_path, plays, groups=GROUPS, host_vars=host_vars)


def _output(result: Result) -> str:
    """Everything the run printed, with Ansible's line wrapping undone."""
    return " ".join((result.stdout + result.stderr).split())


def _refused(result: Result, task: str, host: str) -> list[str]:
    """The reasons the read module gave on ``host`` for the paths it did not read."""
    return [s["reason"] for s in result.task(task)[host].get("not_read", [])]


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path, Path, dict[str, Any]]:
    tmp_path = tmp_path_factory.mktemp("apply")
    base, outside = make_nodes(tmp_path)
    before = _tree(outside)
    playbook, inventory = project(tmp_path, base, node_timing_apply=True)
    result = run_playbook(tmp_path, playbook, inventory, "-v", "--diff")
    return result, base, outside, before


def test_apply_writes_nothing_outside_the_roots(
    applied: tuple[Result, Path, Path, dict[str, Any]],
) -> None:
    result, base, outside, before = applied
    assert _tree(outside) == before
    # escape's drop-in directory /../../escape would be <tmp>/escape
    assert not (base.parent / "escape").exists()
    assert MARKER not in _output(result)


def test_apply_says_which_link_leaves_the_root(
    applied: tuple[Result, Path, Path, dict[str, Any]],
) -> None:
    result, _base, outside, _before = applied
    output = _output(result)
    assert result.rc != 0
    # linked: the kubelet's files under /etc/kubernetes are not read, and a warning says why
    link_out = (
        f"/etc/kubernetes is a symlink to {outside}/k8s/etc/kubernetes, outside the node root"
    )
    assert link_out in " ".join(_refused(result, "Read the kubelet's files", "linked"))
    assert "outside the node root" in output
    stopped = result.task("Stop when the kubelet's configuration file is not found")
    assert stopped["linked"].get("failed"), str(result)
    # config_link: the configuration file itself is a link out
    file_out = f"{CONFIG} is a symlink to {outside}/secret.yaml, outside the node root"
    assert file_out in " ".join(_refused(result, "Read the kubelet's files", "config_link"))
    assert stopped["config_link"].get("failed"), str(result)


def test_apply_refuses_a_drop_in_directory_above_the_root(
    applied: tuple[Result, Path, Path, dict[str, Any]],
) -> None:
    result, base, _outside, _before = applied
    checked = result.task("Check the node paths the role writes")
    assert checked["escape"].get("failed"), str(result)
    message = checked["escape"]["msg"]
    assert "node_timing_kubelet_env_dir" in message and "/../../escape" in message
    assert "inside node_timing_node_root" in message
    # climb: a drop-in directory that is a link out is refused by the module, and names it
    written = result.task("Install the kubelet HTTP/2 environment drop-in")
    assert written["climb"].get("failed"), str(result)
    assert "climbs above the node root" in written["climb"]["msg"]
    assert not list((base / "climb").rglob("50-node-timing-http2.conf"))


def test_apply_keeps_mode_and_owner_and_backs_up_beside(
    applied: tuple[Result, Path, Path, dict[str, Any]],
) -> None:
    result, base, _outside, _before = applied
    config = base / "cp1" / CONFIG.lstrip("/")
    info = config.stat()
    assert "nodeStatusUpdateFrequency: 4s" in config.read_text(encoding="utf-8"), str(result)
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o640, OWNER, OWNER)
    backups = [p for p in config.parent.iterdir() if p.name.startswith(config.name + ".")]
    assert len(backups) == 1 and backups[0].name.endswith("~"), backups
    kept = backups[0].stat()
    assert (stat.S_IMODE(kept.st_mode), kept.st_uid) == (0o640, OWNER)
    manifest = base / "cp1/etc/kubernetes/manifests/kube-controller-manager.yaml"
    assert "--node-monitor-grace-period=20s" in manifest.read_text(encoding="utf-8")
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o600
    assert len(list((base / "cp1/etc/kubernetes/node-timing-backup").iterdir())) == 2
    # nothing left behind in the directories written
    assert not list(base.rglob("*.node-timing.*.tmp"))


def test_verify_reads_nothing_outside_the_roots(tmp_path: Path) -> None:
    base, outside = make_nodes(tmp_path)
    before = _tree(outside)
    playbook, inventory = project(tmp_path, base, node_timing_verify=True)
    result = run_playbook(tmp_path, playbook, inventory, "-v")
    output = _output(result)
    assert "Traceback" not in output
    assert MARKER not in output
    assert _tree(outside) == before
    task = "Read the files that decide the node's timing"
    link_out = (
        f"/etc/kubernetes is a symlink to {outside}/k8s/etc/kubernetes, outside the node root"
    )
    assert link_out in " ".join(_refused(result, task, "linked"))
    file_out = f"{CONFIG} is a symlink to {outside}/secret.yaml, outside the node root"
    assert file_out in " ".join(_refused(result, task, "config_link"))
    assert "outside the node root" in output
    # the play says what the missing files mean for those hosts
    assert "linked" in output and "config_link" in output


def test_the_modules_document_what_they_take_and_return(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            str(ansible_bin() / "ansible-doc"),
            "-t",
            "module",
            "--json",
            "kubetiming.node_timing.node_timing_node_file",
            "kubetiming.node_timing.node_timing_kubelet_files",
        ],
        capture_output=True,
        text=True,
        env=base_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    writer = docs["kubetiming.node_timing.node_timing_node_file"]
    reader = docs["kubetiming.node_timing.node_timing_kubelet_files"]
    assert sorted(writer["doc"]["options"]) == [
        "backup",
        "backup_dir",
        "content",
        "mode",
        "path",
        "root",
    ]
    assert sorted(reader["return"]) == ["files", "not_read"]
    assert "outside" in " ".join(reader["doc"]["description"])
