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
            return line, column + len(key) + len(sep)
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


# ---------------------------------------------------------------------------------------------
# control plane: kubeadm's static Pods and configuration (kubespray runs kubeadm too)

_CM_BASE = {
    "allocate-node-cidrs": "true",
    "authentication-kubeconfig": "/etc/kubernetes/controller-manager.conf",
    "authorization-kubeconfig": "/etc/kubernetes/controller-manager.conf",
    "bind-address": "127.0.0.1",
    "client-ca-file": "/etc/kubernetes/pki/ca.crt",
    "cluster-cidr": "10.244.0.0/16",
    "cluster-name": "kubernetes",
    "controllers": "*,bootstrapsigner,tokencleaner",
    "kubeconfig": "/etc/kubernetes/controller-manager.conf",
    "leader-elect": "true",
    "root-ca-file": "/etc/kubernetes/pki/ca.crt",
    "service-account-private-key-file": "/etc/kubernetes/pki/sa.key",
    "use-service-account-credentials": "true",
}
_API_BASE = {
    "advertise-address": "10.0.0.1",
    "allow-privileged": "true",
    "authorization-mode": "Node,RBAC",
    "client-ca-file": "/etc/kubernetes/pki/ca.crt",
    "enable-admission-plugins": "NodeRestriction",
    "etcd-servers": "https://127.0.0.1:2379",
    "secure-port": "6443",
    "service-cluster-ip-range": "10.96.0.0/12",
}


def static_pod(component: str, flags: Mapping[str, str], version: str = "v1.33.5") -> str:
    """A static Pod as kubeadm writes it: the command's flags sorted, ``--name=value``."""
    base = _CM_BASE if component == "kube-controller-manager" else _API_BASE
    merged = {**base, **flags}
    command = "".join(f"    - --{k}={merged[k]}\n" for k in sorted(merged))
    return (
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        "  creationTimestamp: null\n"
        "  labels:\n"
        f"    component: {component}\n"
        "    tier: control-plane\n"
        f"  name: {component}\n"
        "  namespace: kube-system\n"
        "spec:\n"
        "  containers:\n"
        "  - command:\n"
        f"    - {component}\n" + command + f"    image: registry.k8s.io/{component}:{version}\n"
        "    imagePullPolicy: IfNotPresent\n"
        "    livenessProbe:\n"
        "      failureThreshold: 8\n"
        "      httpGet:\n"
        "        host: 127.0.0.1\n"
        "        path: /healthz\n"
        "        port: 10257\n"
        "        scheme: HTTPS\n"
        f"    name: {component}\n"
        "    resources:\n"
        "      requests:\n"
        "        cpu: 200m\n"
        "  hostNetwork: true\n"
        "  priority: 2000001000\n"
        "  priorityClassName: system-node-critical\n"
        "status: {}\n"
    )


def _extra_args(flags: Mapping[str, str], api: str, indent: str) -> str:
    if not flags:
        return f"{indent}extraArgs: {'{}' if api == 'v1beta3' else '[]'}\n"
    if api == "v1beta3":
        return f"{indent}extraArgs:\n" + "".join(
            f'{indent}  {k}: "{v}"\n' for k, v in flags.items()
        )
    return f"{indent}extraArgs:\n" + "".join(
        f'{indent}- name: {k}\n{indent}  value: "{v}"\n' for k, v in flags.items()
    )


def kubeadm_config(
    api: str = "v1beta4",
    *,
    version: str = "v1.33.5",
    controller: Mapping[str, str] | None = None,
    apiserver: Mapping[str, str] | None = None,
    kubelet_extra_args: Mapping[str, str] | None = None,
    kubelet: Mapping[str, object] | None = None,
) -> str:
    """A kubeadm configuration file of several documents: InitConfiguration,
    ClusterConfiguration, and a KubeletConfiguration when ``kubelet`` is given (kubeadm's
    documented ``kubeadm init --config`` layout; kubespray writes the same kinds to
    ``/etc/kubernetes/kubeadm-config.yaml``)."""
    init = (
        f"apiVersion: kubeadm.k8s.io/{api}\n"
        "kind: InitConfiguration\n"
        "localAPIEndpoint:\n"
        "  advertiseAddress: 10.0.0.1\n"
        "  bindPort: 6443\n"
        "nodeRegistration:\n"
        "  criSocket: unix:///var/run/containerd/containerd.sock\n"
        + (
            _extra_args(kubelet_extra_args, api, "  ").replace("extraArgs", "kubeletExtraArgs")
            if kubelet_extra_args
            else ""
        )
    )
    cluster = (
        f"apiVersion: kubeadm.k8s.io/{api}\n"
        "kind: ClusterConfiguration\n"
        "clusterName: cluster.local\n"
        f"kubernetesVersion: {version}\n"
        "controlPlaneEndpoint: 10.0.0.1:6443\n"
        "networking:\n"
        "  dnsDomain: cluster.local\n"
        "  serviceSubnet: 10.233.0.0/18\n"
        "  podSubnet: 10.233.64.0/18\n"
        "apiServer:\n"
        + _extra_args(apiserver or {}, api, "  ")
        + "controllerManager:\n"
        + _extra_args(controller or {}, api, "  ")
        + "scheduler:\n"
        "  extraArgs: {}\n"
    )
    docs = [init, cluster]
    if kubelet is not None:
        docs.append(
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
            + _fields(kubelet)
        )
    return "---\n" + "---\n".join(docs)


def control_plane(
    root: Path,
    *,
    controller: Mapping[str, str] | None = None,
    apiserver: Mapping[str, str] | None = None,
    version: str = "v1.33.5",
    kubeadm_api: str = "v1beta4",
    kubeadm_path: str = "/etc/kubernetes/kubeadm-config.yaml",
) -> Path:
    """A control-plane node's static Pods and the kubeadm configuration they came from."""
    write(
        root,
        "/etc/kubernetes/manifests/kube-controller-manager.yaml",
        static_pod("kube-controller-manager", controller or {}, version),
    )
    write(
        root,
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        static_pod("kube-apiserver", apiserver or {}, version),
    )
    write(
        root,
        kubeadm_path,
        kubeadm_config(kubeadm_api, version=version, controller=controller, apiserver=apiserver),
    )
    return root


def kubespray_inventory(path: Path, group_vars: str = "") -> Path:
    """A kubespray inventory: node1 control plane and node, node2 node; ``group_vars`` text for
    ``group_vars/k8s_cluster/k8s-cluster.yml``."""
    write(
        path,
        "/inventory.ini",
        "[kube_control_plane]\nnode1\n\n[etcd:children]\nkube_control_plane\n\n"
        "[kube_node]\nnode1\nnode2\n",
    )
    write(
        path,
        "/group_vars/k8s_cluster/k8s-cluster.yml",
        "---\nkube_version: 1.33.5\n" + group_vars,
    )
    return path


def collected_kubespray(
    collected: Path,
    *,
    kubelet: Mapping[str, Mapping[str, object]] | None = None,
    controller: Mapping[str, str] | None = None,
    apiserver: Mapping[str, str] | None = None,
    hosts: tuple[str, ...] = ("node1", "node2"),
    control_plane_hosts: tuple[str, ...] = ("node1",),
    update: str = "10s",
) -> Path:
    """Files fetched from a kubespray cluster: ``collected/<host>/<path on the node>``.

    ``kubelet`` maps a host to the ``kubelet_config_extra_args`` its config file got; the
    control-plane hosts run ``controller``/``apiserver`` flags (kubespray's defaults: grace 40s,
    period 5s, tolerations 300 unless given).
    """
    defaults_cm = {"node-monitor-grace-period": "40s", "node-monitor-period": "5s"}
    defaults_api = {
        "default-not-ready-toleration-seconds": "300",
        "default-unreachable-toleration-seconds": "300",
    }
    for host in hosts:
        root = collected / host
        kubespray_node(root, update=update, extra=(kubelet or {}).get(host))
        if host in control_plane_hosts:
            control_plane(
                root,
                controller={**defaults_cm, **(controller or {})},
                apiserver={**defaults_api, **(apiserver or {})},
            )
    return collected
