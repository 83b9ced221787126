"""The kubelet's running timing read from a node's files (kubespray and kubeadm layouts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from node_layout import (
    kubeadm_node,
    kubespray_kubelet_config,
    kubespray_node,
    locate,
    value_at,
    write,
)

from node_timing import durations
from node_timing.deployed.kubelet import LEASE, REPORT, UPDATE, read_kubelet
from node_timing.knowledge import KubeVersion

S = durations.SECOND


def where(state, path):  # type: ignore[no-untyped-def]
    loc = state.effective[path].location
    return Path(loc.path), loc.line, loc.column


def test_kubespray_layout_config_file_and_inheriting_report(tmp_path: Path) -> None:
    root = kubespray_node(tmp_path, update="20s")
    state = read_kubelet(str(root))
    assert state.layout == "kubespray"
    assert state.problems == ()
    config = root / "etc/kubernetes/kubelet-config.yaml"
    assert state.config == str(config)
    assert state.settings[UPDATE] == 20 * S
    # kubespray writes the update frequency, so the report frequency inherits it
    assert state.settings[REPORT] is None and state.report_inherits
    assert where(state, UPDATE) == (config, *value_at(config, "nodeStatusUpdateFrequency"))
    assert state.settings[LEASE] == 40
    assert state.effective[LEASE].from_default


def test_kubespray_extra_args_and_flag_positions(tmp_path: Path) -> None:
    root = kubespray_node(
        tmp_path,
        extra={"nodeStatusReportFrequency": "5m0s", "nodeLeaseDurationSeconds": 16},
        custom_flags="--node-status-update-frequency=4s",
    )
    state = read_kubelet(str(root))
    env = root / "etc/kubernetes/kubelet.env"
    config = root / "etc/kubernetes/kubelet-config.yaml"
    # a flag beats the config file; its value is placed in kubelet.env's continued KUBELET_ARGS
    assert state.settings[UPDATE] == 4 * S
    assert where(state, UPDATE) == (env, *value_at(env, "--node-status-update-frequency"))
    assert [s.kind for s in state.sources[UPDATE]] == ["kubernetes-default", "config-file", "flag"]
    assert state.settings[REPORT] == 300 * S
    assert where(state, REPORT) == (config, *value_at(config, "nodeStatusReportFrequency"))
    assert state.settings[LEASE] == 16
    assert where(state, LEASE) == (config, *value_at(config, "nodeLeaseDurationSeconds"))


def test_kubespray_without_unit_file_assumes_the_stock_unit(tmp_path: Path) -> None:
    root = kubespray_node(tmp_path, update="7s", with_unit=False, custom_flags="")
    state = read_kubelet(str(root))
    assert state.layout == "kubespray"
    assert state.settings[UPDATE] == 7 * S


def test_kubeadm_layout_zero_durations_are_defaults(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path)
    state = read_kubelet(str(root))
    assert state.layout == "kubeadm"
    assert state.problems == ()
    assert state.config == str(root / "var/lib/kubelet/config.yaml")
    # kubeadm writes nodeStatusUpdateFrequency: 0s and nodeStatusReportFrequency: 0s
    assert state.settings == {
        UPDATE: 10 * S,
        REPORT: 300 * S,
        LEASE: 40,
        "kubelet.http2_read_idle_timeout_seconds": 30,
        "kubelet.http2_ping_timeout_seconds": 15,
    }
    assert all(state.effective[p].from_default for p in state.settings)


def test_kubeadm_fields_and_extra_args(tmp_path: Path) -> None:
    root = kubeadm_node(
        tmp_path,
        fields={"nodeStatusUpdateFrequency": "4s", "nodeLeaseDurationSeconds": 16},
        extra_args="--v=2 --node-status-update-frequency 6s",
        drop_in_dir="/etc/systemd/system",
    )
    state = read_kubelet(str(root))
    config = root / "var/lib/kubelet/config.yaml"
    extra = root / "etc/default/kubelet"
    assert state.settings[UPDATE] == 6 * S
    assert where(state, UPDATE) == (extra, *locate(extra, "6s"))
    # the report frequency took the config file's 4s at defaulting, before the flag applied
    assert state.settings[REPORT] == 4 * S
    assert where(state, REPORT) == (config, *value_at(config, "nodeStatusUpdateFrequency"))
    assert where(state, LEASE) == (config, *value_at(config, "nodeLeaseDurationSeconds"))


def test_kubeadm_flags_env_later_extra_args_win(tmp_path: Path) -> None:
    root = kubeadm_node(
        tmp_path,
        kubeadm_flags=" --node-status-update-frequency=3s",
        extra_args='"--node-status-update-frequency=5s"',
    )
    state = read_kubelet(str(root))
    extra = root / "etc/default/kubelet"
    assert state.settings[UPDATE] == 5 * S
    assert where(state, UPDATE) == (extra, *value_at(extra, "--node-status-update-frequency"))
    assert [s.raw for s in state.sources[UPDATE]] == [None, "3s", "5s"]


def test_kubeadm_without_units_assumes_the_packages_drop_in(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, fields={"nodeLeaseDurationSeconds": 20}, with_unit=False)
    state = read_kubelet(str(root))
    assert state.layout == "kubeadm"
    assert state.settings[LEASE] == 20


def _config_dir(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(root, f"/etc/kubernetes/kubelet.conf.d/{name}", text)


DROP_IN = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"


def test_config_dir_drop_ins_in_name_order(tmp_path: Path) -> None:
    root = kubeadm_node(
        tmp_path,
        fields={"nodeStatusUpdateFrequency": "4s"},
        extra_args="--config-dir=/etc/kubernetes/kubelet.conf.d",
    )
    _config_dir(
        root,
        {
            "20-late.conf": DROP_IN + "nodeLeaseDurationSeconds: 24\n",
            "10-early.conf": DROP_IN
            + "nodeLeaseDurationSeconds: 12\nnodeStatusUpdateFrequency: 8s\n",
            "30-ignored.yaml": DROP_IN + "nodeLeaseDurationSeconds: 99\n",
        },
    )
    state = read_kubelet(str(root), KubeVersion(1, 35))
    late = root / "etc/kubernetes/kubelet.conf.d/20-late.conf"
    early = root / "etc/kubernetes/kubelet.conf.d/10-early.conf"
    assert state.settings[LEASE] == 24
    assert where(state, LEASE) == (late, *value_at(late, "nodeLeaseDurationSeconds"))
    assert state.settings[UPDATE] == 8 * S
    assert where(state, UPDATE) == (early, *value_at(early, "nodeStatusUpdateFrequency"))
    # defaulting ran on the --config file (4s); the drop-in's 8s came after
    assert state.settings[REPORT] == 4 * S
    assert state.config_dir == str(root / "etc/kubernetes/kubelet.conf.d")


def test_config_dir_alpha_needs_its_environment_variable(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, extra_args="--config-dir=/etc/kubernetes/kubelet.conf.d")
    _config_dir(root, {"10.conf": DROP_IN + "nodeLeaseDurationSeconds: 12\n"})
    state = read_kubelet(str(root), KubeVersion(1, 28))
    assert state.settings[LEASE] == 40
    assert any("KUBELET_CONFIG_DROPIN_DIR_ALPHA" in p.message for p in state.problems)
    write(
        root,
        "/etc/systemd/system/kubelet.service.d/20-alpha.conf",
        '[Service]\nEnvironment="KUBELET_CONFIG_DROPIN_DIR_ALPHA=true"\n',
    )
    assert read_kubelet(str(root), KubeVersion(1, 28)).settings[LEASE] == 12


def test_http2_environment_from_a_unit_drop_in(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path)
    drop_in = write(
        root,
        "/etc/systemd/system/kubelet.service.d/20-http2.conf",
        '[Service]\nEnvironment="HTTP2_READ_IDLE_TIMEOUT_SECONDS=10" "HTTP2_PING_TIMEOUT_SECONDS=5"\n',
    )
    state = read_kubelet(str(root))
    assert state.settings["kubelet.http2_read_idle_timeout_seconds"] == 10
    assert state.settings["kubelet.http2_ping_timeout_seconds"] == 5
    assert where(state, "kubelet.http2_ping_timeout_seconds") == (
        drop_in,
        *value_at(drop_in, "HTTP2_PING_TIMEOUT_SECONDS"),
    )


def test_bad_values_are_problems_of_their_source(tmp_path: Path) -> None:
    root = kubespray_node(tmp_path, extra={"nodeLeaseDurationSeconds": '"40"'}, update="10")
    state = read_kubelet(str(root))
    config = root / "etc/kubernetes/kubelet-config.yaml"
    update = state.effective[UPDATE]
    assert update.problem and "bare number" in update.problem
    assert where(state, UPDATE) == (config, 3, 28)
    lease = state.effective[LEASE]
    assert lease.problem and "string" in lease.problem
    # unusable values fall back to the defaults for the settings; the sources say why
    assert state.settings[UPDATE] == 10 * S and state.settings[LEASE] == 40


def test_no_kubelet_files(tmp_path: Path) -> None:
    state = read_kubelet(str(tmp_path))
    assert state.layout == "none" and not state.found
    assert state.settings[UPDATE] == 10 * S


def test_missing_config_file_is_a_problem(tmp_path: Path) -> None:
    root = kubespray_node(tmp_path)
    (root / "etc/kubernetes/kubelet-config.yaml").unlink()
    state = read_kubelet(str(root))
    assert [p.message for p in state.problems] == [
        "not found: the kubelet's --config file (the kubelet will not start)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind: KubeletConfiguration\nnodeLeaseDurationSeconds: [\n", "invalid YAML"),
        ("apiVersion: v1\nkind: Pod\n", "must hold one KubeletConfiguration"),
        ("- a\n- b\n", "must hold one KubeletConfiguration"),
        (kubespray_kubelet_config() + "nodeStatusUpdateFrequency: 9s\n", "duplicate key"),
    ],
)
def test_broken_config_file_is_one_problem(tmp_path: Path, text: str, expected: str) -> None:
    root = kubespray_node(tmp_path)
    write(root, "/etc/kubernetes/kubelet-config.yaml", text)
    state = read_kubelet(str(root))
    assert any(expected in p.message for p in state.problems), state.problems


def test_symlink_out_of_the_node_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text(DROP_IN + "nodeLeaseDurationSeconds: 77\n")
    root = kubespray_node(tmp_path / "node")
    config = root / "etc/kubernetes/kubelet-config.yaml"
    config.unlink()
    os.symlink(outside, config)
    state = read_kubelet(str(root))
    assert state.settings[LEASE] == 40
    assert any("outside" in p.message for p in state.problems)
    assert all(str(outside) not in p.message for p in state.problems)
