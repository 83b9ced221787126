"""The renderers' public functions, as the filters and the role will call them."""

from __future__ import annotations

from node_timing import knowledge, kubespray, profiles
from node_timing.render import apiserver_args, controller_args, kubelet_config, render_all
from node_timing.render.kubelet import dropin_file


def _compute(name: str, version: str, nodes: int = 100):  # type: ignore[no-untyped-def]
    return profiles.compute(name, nodes, kube_version=version)


def test_argument_shapes() -> None:
    r = _compute("fast", "1.35")
    assert controller_args(r.settings, r.kube_version)[:2] == [
        "--node-monitor-period=2s",
        "--node-monitor-grace-period=20s",
    ]
    assert apiserver_args(r.settings, style="v1beta3") == {
        "default-not-ready-toleration-seconds": "30",
        "default-unreachable-toleration-seconds": "30",
    }
    assert apiserver_args(r.settings, style="v1beta4") == [
        {"name": "default-not-ready-toleration-seconds", "value": "30"},
        {"name": "default-unreachable-toleration-seconds", "value": "30"},
    ]


def test_inherited_report_frequency_is_written_as_the_update_frequency() -> None:
    r = _compute("kubespray-default", "1.35")
    assert r.settings.kubelet.node_status_report_frequency is None
    assert kubelet_config(r.settings) == {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "nodeStatusUpdateFrequency": "10s",
        "nodeStatusReportFrequency": "10s",
        "nodeLeaseDurationSeconds": 40,
    }


def test_dropin_follows_the_config_dir_history() -> None:
    s = _compute("upstream", "1.35").settings
    assert dropin_file(s, knowledge.KubeVersion(1, 27)) is None
    alpha = dropin_file(s, knowledge.KubeVersion(1, 28))
    assert alpha is not None and "KUBELET_CONFIG_DROPIN_DIR_ALPHA=true" in alpha
    beta = dropin_file(s, knowledge.KubeVersion(1, 30))
    assert beta is not None and "beta" in beta and "ALPHA" not in beta


def test_http2_env_only_when_it_differs_from_client_go() -> None:
    assert "kubelet/http2-env.conf" not in render_all(*_settings("medium", "1.35"))
    env = render_all(*_settings("fast", "1.35"))["kubelet/http2-env.conf"]
    assert 'Environment="HTTP2_READ_IDLE_TIMEOUT_SECONDS=10"\n' in env
    assert 'Environment="HTTP2_PING_TIMEOUT_SECONDS=5"\n' in env


def _settings(name: str, version: str):  # type: ignore[no-untyped-def]
    r = _compute(name, version)
    return r.settings, r.kube_version


def test_kubespray_vars_keep_other_extra_args_and_drop_duplicates_and_removed_flags() -> None:
    s, v = _settings("medium", "1.31")
    current = {
        "kube_kubeadm_controller_extra_args": {
            "terminated-pod-gc-threshold": "100",
            "node-monitor-grace-period": "40s",
            "pod-eviction-timeout": "5m0s",
        },
        "kubelet_config_extra_args": {"maxPods": 200, "nodeStatusUpdateFrequency": "10s"},
    }
    out = kubespray.to_vars(s, current, v)
    ctrl = out["kube_kubeadm_controller_extra_args"]
    assert ctrl["terminated-pod-gc-threshold"] == "100"
    assert "node-monitor-grace-period" not in ctrl
    assert "pod-eviction-timeout" not in ctrl
    assert out["kubelet_config_extra_args"] == {
        "maxPods": 200,
        "nodeStatusReportFrequency": "5m0s",
        "nodeLeaseDurationSeconds": 80,
    }
    assert (
        kubespray.to_vars(s, current, knowledge.KubeVersion(1, 26))[
            "kube_kubeadm_controller_extra_args"
        ]["pod-eviction-timeout"]
        == "5m0s"
    )
    assert current["kube_kubeadm_controller_extra_args"]["pod-eviction-timeout"] == "5m0s"


def test_stretched_profile_renders_the_stretched_values() -> None:
    r = _compute("fast", "1.35", nodes=5000)
    assert r.stretch is not None
    args = controller_args(r.settings, r.kube_version, style="v1beta3")
    assert args["node-monitor-grace-period"] == "50s"
    assert kubelet_config(r.settings)["nodeLeaseDurationSeconds"] == 40
