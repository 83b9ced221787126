"""Renderers: pure functions from Settings and a Kubernetes version to file contents.

The CLI, the Ansible filters and the role call these same functions, so their outputs are
identical. Nothing here touches the file system; ``render.write`` does that.
"""

from __future__ import annotations

from typing import Any

from node_timing import kubespray, serialize
from node_timing.knowledge import KubeVersion
from node_timing.render.args import RenderError, apiserver_args, controller_args
from node_timing.render.kubeadm import choose_api, kubeadm_file
from node_timing.render.kubelet import config_file, dropin_file, http2_env_file, kubelet_config
from node_timing.render.manifests import controller_manager_file
from node_timing.render.patch import PatchResult, patch_manifest
from node_timing.settings import Settings

__all__ = [
    "OUTPUTS",
    "PatchResult",
    "RenderError",
    "apiserver_args",
    "controller_args",
    "kubelet_config",
    "kubespray_file",
    "patch_manifest",
    "render_all",
]

KUBELET_CONFIG = "kubelet/kubelet-config.yaml"
KUBELET_DROPIN = "kubelet/50-node-timing.conf"
KUBELET_HTTP2_ENV = "kubelet/http2-env.conf"
CONTROLLER_MANAGER_MANIFEST = "manifests/kube-controller-manager.yaml"
KUBEADM_CONFIG = "kubeadm/kubeadm-config.yaml"
KUBESPRAY_VARS = "kubespray/node-timing.yml"


OUTPUTS = (
    KUBELET_CONFIG,
    KUBELET_DROPIN,
    KUBELET_HTTP2_ENV,
    CONTROLLER_MANAGER_MANIFEST,
    KUBEADM_CONFIG,
    KUBESPRAY_VARS,
)


def kubespray_file(
    settings: Settings, version: KubeVersion, current: dict[str, Any] | None = None
) -> str:
    header = (
        f"# kubespray group_vars for node-health timing, Kubernetes {version.minor_text}\n"
        "# (inventory/<cluster>/group_vars/k8s_cluster/node-timing.yml). The extra-args dicts\n"
        "# replace the inventory's own: they already hold its other keys when rendered from it.\n"
    )
    return header + serialize.to_yaml(kubespray.to_vars(settings, current, version))


def render_all(
    settings: Settings,
    version: KubeVersion,
    kubeadm_api: str | None = None,
    current_kubespray: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Every output file, ``{path relative to the output directory: text}``.

    Files that do not apply are left out: the drop-in before Kubernetes 1.28, the HTTP/2
    environment when the kubelet keeps client-go's defaults. Raises :class:`RenderError` when the
    version does not accept ``kubeadm_api``.
    """
    api = choose_api(version, kubeadm_api)
    files: dict[str, str] = {KUBELET_CONFIG: config_file(settings, version)}
    dropin = dropin_file(settings, version)
    if dropin is not None:
        files[KUBELET_DROPIN] = dropin
    env = http2_env_file(settings, version)
    if env is not None:
        files[KUBELET_HTTP2_ENV] = env
    files[CONTROLLER_MANAGER_MANIFEST] = controller_manager_file(settings, version)
    files[KUBEADM_CONFIG] = kubeadm_file(settings, version, api)
    files[KUBESPRAY_VARS] = kubespray_file(settings, version, current_kubespray)
    return files
