"""kubeadm ClusterConfiguration carrying the timing flags, plus the kubelet's timing fields."""

from __future__ import annotations

from typing import Any

from node_timing import knowledge, serialize
from node_timing.knowledge import KubeVersion
from node_timing.render.args import RenderError, Style, apiserver_args, controller_args
from node_timing.render.kubelet import kubelet_config
from node_timing.settings import Settings


def choose_api(version: KubeVersion, requested: str | None = None) -> str:
    """The kubeadm API: ``requested`` if ``version`` accepts it, else the version's default."""
    fact = knowledge.kubeadm_api(version)
    if requested is None:
        chosen: str = fact["default"]
        return chosen
    accepted: list[str] = fact["accepted"]
    if requested not in accepted:
        raise RenderError(
            f"kubeadm {version.minor_text} does not accept the {requested} configuration API; "
            f"use --kubeadm-api {' or '.join(accepted)}"
        )
    return requested


def cluster_configuration(settings: Settings, version: KubeVersion, api: str) -> dict[str, Any]:
    """A ClusterConfiguration holding only the timing extraArgs, in the shape ``api`` requires."""
    if api not in ("v1beta3", "v1beta4"):
        raise RenderError(f"unknown kubeadm API {api!r}; choose v1beta3 or v1beta4")
    style: Style = "v1beta3" if api == "v1beta3" else "v1beta4"
    return {
        "apiVersion": f"kubeadm.k8s.io/{api}",
        "kind": "ClusterConfiguration",
        "apiServer": {"extraArgs": apiserver_args(settings, style=style)},
        "controllerManager": {"extraArgs": controller_args(settings, version, style=style)},
    }


def kubeadm_file(settings: Settings, version: KubeVersion, api: str | None = None) -> str:
    chosen = choose_api(version, api)
    header = (
        f"# kubeadm {chosen} configuration for Kubernetes {version.minor_text}: merge these\n"
        "# extraArgs and kubelet fields into the configuration given to kubeadm init/upgrade\n"
        "# (--config).\n"
    )
    return (
        header
        + serialize.to_yaml(cluster_configuration(settings, version, chosen))
        + "---\n"
        + serialize.to_yaml(kubelet_config(settings))
    )
