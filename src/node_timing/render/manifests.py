"""kube-controller-manager static Pod, shaped like the one kubeadm writes, with the timing flags."""

from __future__ import annotations

from typing import Any

from node_timing import serialize
from node_timing.knowledge import KubeVersion
from node_timing.render.args import pairs
from node_timing.settings import Settings

NAME = "kube-controller-manager"
IMAGE_REPOSITORY = "registry.k8s.io"
SECURE_PORT = 10257
_KUBECONFIG = "/etc/kubernetes/controller-manager.conf"
_PKI = "/etc/kubernetes/pki"

# kubeadm's own flags (cmd/kubeadm/app/phases/controlplane/manifests.go,
# getControllerManagerCommand), without the cluster-specific ones (cluster CIDR, service range)
# that a timing change never touches.
_BASE_FLAGS: dict[str, str] = {
    "authentication-kubeconfig": _KUBECONFIG,
    "authorization-kubeconfig": _KUBECONFIG,
    "bind-address": "127.0.0.1",
    "client-ca-file": f"{_PKI}/ca.crt",
    "cluster-name": "kubernetes",
    "cluster-signing-cert-file": f"{_PKI}/ca.crt",
    "cluster-signing-key-file": f"{_PKI}/ca.key",
    "controllers": "*,bootstrapsigner,tokencleaner",
    "kubeconfig": _KUBECONFIG,
    "leader-elect": "true",
    "requestheader-client-ca-file": f"{_PKI}/front-proxy-ca.crt",
    "root-ca-file": f"{_PKI}/ca.crt",
    "service-account-private-key-file": f"{_PKI}/sa.key",
    "use-service-account-credentials": "true",
}

# (volume name, host path, hostPath type, read only), as kubeadm mounts them
_MOUNTS: tuple[tuple[str, str, str, bool], ...] = (
    ("ca-certs", "/etc/ssl/certs", "DirectoryOrCreate", True),
    ("etc-ca-certificates", "/etc/ca-certificates", "DirectoryOrCreate", True),
    (
        "flexvolume-dir",
        "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
        "DirectoryOrCreate",
        False,
    ),
    ("k8s-certs", _PKI, "DirectoryOrCreate", True),
    ("kubeconfig", _KUBECONFIG, "FileOrCreate", True),
    (
        "usr-local-share-ca-certificates",
        "/usr/local/share/ca-certificates",
        "DirectoryOrCreate",
        True,
    ),
    ("usr-share-ca-certificates", "/usr/share/ca-certificates", "DirectoryOrCreate", True),
)


def image(version: KubeVersion) -> str:
    """The kubeadm image of ``version``; a version without a patch level means its ``.0``."""
    patch = 0 if version.patch is None else version.patch
    return f"{IMAGE_REPOSITORY}/{NAME}:v{version.major}.{version.minor}.{patch}"


def _probe(failure_threshold: int) -> dict[str, Any]:
    return {
        "failureThreshold": failure_threshold,
        "httpGet": {
            "host": "127.0.0.1",
            "path": "/healthz",
            "port": SECURE_PORT,
            "scheme": "HTTPS",
        },
        "initialDelaySeconds": 10,
        "periodSeconds": 10,
        "timeoutSeconds": 15,
    }


def controller_manager_pod(settings: Settings, version: KubeVersion) -> dict[str, Any]:
    """The static Pod; flags sorted by name as kubeadm sorts them, each flag once."""
    flags = dict(_BASE_FLAGS)
    flags.update(pairs(settings, "controller_manager", version))
    command = [NAME] + [f"--{name}={flags[name]}" for name in sorted(flags)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "labels": {"component": NAME, "tier": "control-plane"},
            "name": NAME,
            "namespace": "kube-system",
        },
        "spec": {
            "containers": [
                {
                    "command": command,
                    "image": image(version),
                    "imagePullPolicy": "IfNotPresent",
                    "livenessProbe": _probe(8),
                    "name": NAME,
                    "resources": {"requests": {"cpu": "200m"}},
                    "startupProbe": _probe(24),
                    "volumeMounts": [
                        {"mountPath": path, "name": name, **({"readOnly": True} if ro else {})}
                        for name, path, _, ro in _MOUNTS
                    ],
                }
            ],
            "hostNetwork": True,
            "priorityClassName": "system-node-critical",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": [
                {"hostPath": {"path": path, "type": kind}, "name": name}
                for name, path, kind, _ in _MOUNTS
            ],
        },
    }


def controller_manager_file(settings: Settings, version: KubeVersion) -> str:
    header = (
        f"# kube-controller-manager static Pod for Kubernetes {version.minor_text} "
        "(/etc/kubernetes/manifests/).\n"
        "# kubeadm's layout with the node-lifecycle flags; to change only those flags in the\n"
        "# manifest a cluster already runs, use `node-timing render --patch-manifest`.\n"
    )
    return header + serialize.to_yaml(controller_manager_pod(settings, version))
