"""A node's files as kubespray and kubeadm write them, under a directory standing for ``/``.

The texts follow the documented formats:
- kubespray: ``roles/kubernetes/node/templates/kubelet.service.j2`` (ExecStart of every variable
  of ``kubelet.env``), ``kubelet.env.v1beta1.j2`` (``KUBELET_ARGS`` a quoted value continued over
  lines with backslashes), ``kubelet-config.v1beta1.yaml.j2`` (always ``nodeStatusUpdateFrequency``,
  then ``kubelet_config_extra_args``), and kubeadm's static Pods from
  ``/etc/kubernetes/kubeadm-config.yaml``;
- kubeadm: the packages' ``kubelet.service`` and ``kubelet.service.d/10-kubeadm.conf``,
  ``/var/lib/kubelet/kubeadm-flags.env`` (``KUBELET_KUBEADM_ARGS="..."``), ``/etc/default/kubelet``
  (``KUBELET_EXTRA_ARGS=``), ``/var/lib/kubelet/config.yaml`` as kubeadm marshals it (zero
  durations written as ``0s``), and static Pods under ``/etc/kubernetes/manifests/`` (flags sorted,
  ``--name=value``).

Every writer returns the path it wrote; :func:`locate` gives the 1-based line and column of a
text in a file, for tests that check positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

KUBESPRAY_UNIT = """\
[Unit]
Description=Kubernetes Kubelet Server
Documentation=https://github.com/GoogleCloudPlatform/kubernetes
After=containerd.service
Wants=containerd.service

[Service]
Slice=kubelet.slice
EnvironmentFile=-/etc/kubernetes/kubelet.env
ExecStart=/usr/local/bin/kubelet \\
\t\t$KUBE_LOGTOSTDERR \\
\t\t$KUBE_LOG_LEVEL \\
\t\t$KUBELET_API_SERVER \\
\t\t$KUBELET_ADDRESS \\
\t\t$KUBELET_PORT \\
\t\t$KUBELET_HOSTNAME \\
\t\t$KUBELET_ARGS \\
\t\t$DOCKER_SOCKET \\
\t\t$KUBELET_NETWORK_PLUGIN \\
\t\t$KUBELET_VOLUME_PLUGIN \\
\t\t$KUBELET_CLOUDPROVIDER
Restart=always
RestartSec=10s
ExecStartPre=-/bin/mkdir -p /var/lib/kubelet/volume-plugins
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
"""

PACKAGE_UNIT = """\
[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
"""

KUBEADM_DROP_IN = """\
# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"""


def write(root: Path, node_path: str, text: str) -> Path:
    """Write ``text`` at the node's absolute ``node_path`` under ``root``."""
    target = root / node_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def locate(path: Path, text: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``occurrence``-th ``text`` in the file at ``path``."""
    content = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(occurrence):
        index = content.index(text, index + 1)
    line = content.count("\n", 0, index) + 1
    column = index - (content.rfind("\n", 0, index) + 1) + 1
    return line, column


def value_at(path: Path, key: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the value written after ``key: `` or ``key=`` in ``path``."""
    content = path.read_text(encoding="utf-8")
    for sep in (": ", "="):
        if f"{key}{sep}" in content:
            line, column = locate(path, f"{key}{sep}", occurrence)
            column += len(key) + len(sep)
            text = content.splitlines()[line - 1]
            if text[column - 1 : column] in ('"', "'"):
                column += 1
            return line, column
    raise ValueError(f"{key} not in {path}")


def _fields(fields: Mapping[str, object]) -> str:
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


# ---------------------------------------------------------------------------------------------
# kubespray


def kubespray_kubelet_env(
    custom_flags: str = "",
    config: str = "/etc/kubernetes/kubelet-config.yaml",
    ip: str = "10.0.0.3",
) -> str:
    """``/etc/kubernetes/kubelet.env`` as kubelet.env.v1beta1.j2 renders it (containerd)."""
    return (
        'KUBE_LOGTOSTDERR="--logtostderr=true"\n'
        'KUBE_LOG_LEVEL="--v=2"\n'
        f'KUBELET_ADDRESS="--node-ip={ip}"\n'
        "\n"
        'KUBELET_ARGS="--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf \\\n'
        f"--config={config} \\\n"
        "--kubeconfig=/etc/kubernetes/kubelet.conf \\\n"
        "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock \\\n"
        "--runtime-cgroups=/kubelet.slice \\\n"
        f'  --node-labels=  {custom_flags} "\n'
        'KUBELET_CLOUDPROVIDER=""\n'
        "\n"
        "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
    )


def kubespray_kubelet_config(extra: Mapping[str, object] | None = None, update: str = "10s") -> str:
    """``/etc/kubernetes/kubelet-config.yaml`` as kubelet-config.v1beta1.yaml.j2 renders it: the
    update frequency always written, ``kubelet_config_extra_args`` dumped at the end."""
    return (
        "apiVersion: kubelet.config.k8s.io/v1beta1\n"
        "kind: KubeletConfiguration\n"
        "nodeStatusUpdateFrequency: " + update + "\n"
        "failSwapOn: True\n"
        "authentication:\n"
        "  anonymous:\n"
        "    enabled: false\n"
        "  webhook:\n"
        "    enabled: True\n"
        "  x509:\n"
        "    clientCAFile: /etc/kubernetes/ssl/ca.crt\n"
        "authorization:\n"
        "  mode: Webhook\n"
        "staticPodPath: /etc/kubernetes/manifests\n"
        "cgroupDriver: systemd\n"
        "containerLogMaxFiles: 5\n"
        "containerLogMaxSize: 10Mi\n"
        "maxPods: 110\n"
        "podPidsLimit: -1\n"
        "address: 10.0.0.3\n"
        "readOnlyPort: 0\n"
        "healthzPort: 10248\n"
        "healthzBindAddress: 127.0.0.1\n"
        "kubeletCgroups: /kubelet.slice\n"
        "clusterDomain: cluster.local\n"
        "protectKernelDefaults: true\n"
        "rotateCertificates: true\n"
        "clusterDNS:\n"
        "- 169.254.25.10\n"
        'resolvConf: "/run/systemd/resolve/resolv.conf"\n' + _fields(extra or {})
    )


def kubespray_node(
    root: Path,
    *,
    update: str = "10s",
    extra: Mapping[str, object] | None = None,
    custom_flags: str = "",
    with_unit: bool = True,
) -> Path:
    """A kubespray worker node's kubelet files under ``root``; returns ``root``."""
    if with_unit:
        write(root, "/etc/systemd/system/kubelet.service", KUBESPRAY_UNIT)
    write(root, "/etc/kubernetes/kubelet.env", kubespray_kubelet_env(custom_flags))
    write(root, "/etc/kubernetes/kubelet-config.yaml", kubespray_kubelet_config(extra, update))
    return root


# ---------------------------------------------------------------------------------------------
# kubeadm


def kubeadm_kubelet_config(fields: Mapping[str, object] | None = None) -> str:
    """``/var/lib/kubelet/config.yaml`` as kubeadm writes it: sorted keys, unset durations ``0s``.

    ``fields`` replace the timing lines (``nodeStatusUpdateFrequency: 0s`` ...) or add others.
    """
    values: dict[str, object] = {
        "nodeStatusReportFrequency": "0s",
        "nodeStatusUpdateFrequency": "0s",
    }
    values.update(fields or {})
    body: dict[str, object] = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "authentication": "\n  anonymous:\n    enabled: false\n  webhook:\n    cacheTTL: 0s\n    enabled: true\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt",
        "authorization": "\n  mode: Webhook\n  webhook:\n    cacheAuthorizedTTL: 0s\n    cacheUnauthorizedTTL: 0s",
        "cgroupDriver": "systemd",
        "clusterDNS": "\n- 10.96.0.10",
        "clusterDomain": "cluster.local",
        "containerRuntimeEndpoint": '""',
        "cpuManagerReconcilePeriod": "0s",
        "evictionPressureTransitionPeriod": "0s",
        "fileCheckFrequency": "0s",
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": 10248,
        "httpCheckFrequency": "0s",
        "imageMaximumGCAge": "0s",
        "imageMinimumGCAge": "0s",
        "kind": "KubeletConfiguration",
        "logging": '\n  flushFrequency: 0\n  options:\n    json:\n      infoBufferSize: "0"\n  verbosity: 0',
        "memorySwap": " {}",
        "rotateCertificates": "true",
        "runtimeRequestTimeout": "0s",
        "shutdownGracePeriod": "0s",
        "shutdownGracePeriodCriticalPods": "0s",
        "staticPodPath": "/etc/kubernetes/manifests",
        "streamingConnectionIdleTimeout": "0s",
        "syncFrequency": "0s",
        "volumeStatsAggPeriod": "0s",
        **values,
    }
    lines = []
    for key in sorted(body):
        value = body[key]
        text = str(value)
        lines.append(f"{key}:{text}" if text.startswith(("\n", " ")) else f"{key}: {text}")
    return "\n".join(lines) + "\n"


def kubeadm_flags_env(extra: str = "") -> str:
    return (
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock '
        f'--pod-infra-container-image=registry.k8s.io/pause:3.10{extra}"\n'
    )


def kubeadm_node(
    root: Path,
    *,
    fields: Mapping[str, object] | None = None,
    kubeadm_flags: str = "",
    extra_args: str = "",
    drop_in_dir: str = "/usr/lib/systemd/system",
    with_unit: bool = True,
) -> Path:
    """A kubeadm node's kubelet files under ``root`` (deb layout: ``/etc/default/kubelet``)."""
    if with_unit:
        write(root, f"{drop_in_dir}/kubelet.service", PACKAGE_UNIT)
        write(root, f"{drop_in_dir}/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROP_IN)
    write(root, "/var/lib/kubelet/kubeadm-flags.env", kubeadm_flags_env(kubeadm_flags))
    write(root, "/etc/default/kubelet", f"KUBELET_EXTRA_ARGS={extra_args}\n")
    write(root, "/var/lib/kubelet/config.yaml", kubeadm_kubelet_config(fields))
    return root
