"""A kubespray inventory directory exactly as a deployment leaves it, written from kubespray's
documented layout.

``inventory/<cluster>/`` holds ``inventory.ini`` and ``group_vars/`` (copied from
``inventory/sample``). A ``cluster.yml`` run then adds, next to them:
- ``credentials/*.creds``: passwords and keys made by the ``password`` lookup under
  ``credentials_dir`` (``{{ inventory_dir }}/credentials``), one secret per file and line;
- ``artifacts/admin.conf``: the admin kubeconfig (``kubeconfig_localhost: true``), mode 0600;
- ``artifacts/kubectl`` and the executable ``artifacts/kubectl.sh`` (``kubectl_localhost: true``).

The secrets and the scripts here are stand-ins: each secret is a distinct marker a test can look
for in every output, and each executable leaves a marker file when it runs.
"""

from __future__ import annotations

from pathlib import Path

CERTIFICATE_KEY = "c0ffee" + "5ec2e7" * 9 + "a1"  # 64 hex digits, as kubespray generates it
ENCRYPT_TOKEN = "TokenSecretKubeEncrypt0123456789"
ADMIN_CLIENT_KEY = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBc2VjcmV0"
SECRETS = (CERTIFICATE_KEY, ENCRYPT_TOKEN, ADMIN_CLIENT_KEY)

INVENTORY_INI = """\
# This inventory describe a HA typology with stacked etcd (== same nodes as control plane)
[kube_control_plane]
node1 ansible_host=10.0.0.1
node2 ansible_host=10.0.0.2

[etcd:children]
kube_control_plane

[kube_node]
node3 ansible_host=10.0.0.3
node4 ansible_host=10.0.0.4
"""

K8S_CLUSTER_YML = """\
---
kube_version: 1.33.5
# a grace period too short for the kubelet's 10s heartbeat: a finding every run must report
kube_controller_node_monitor_grace_period: 15s
kubelet_config_extra_args:
  maxPods: 200
  nodeStatusUpdateFrequency: "10s"
kube_kubeadm_controller_extra_args:
  pod-eviction-timeout: 5m0s   # removed in Kubernetes 1.27: the controller-manager will not start
  profiling: "false"
"""

ADMIN_CONF = f"""\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    server: https://10.0.0.1:6443
  name: cluster.local
contexts:
- context:
    cluster: cluster.local
    user: kubernetes-admin-cluster.local
  name: kubernetes-admin-cluster.local@cluster.local
current-context: kubernetes-admin-cluster.local@cluster.local
kind: Config
preferences: {{}}
users:
- name: kubernetes-admin-cluster.local
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    client-key-data: {ADMIN_CLIENT_KEY}
"""


def marker_script(marker: Path) -> str:
    """An executable that proves it ran by creating ``marker`` (and prints an empty inventory)."""
    return f'#!/bin/sh\ntouch "{marker}"\necho "{{}}"\n'


def post_deployment(parent: Path, marker: Path, cluster: str = "mycluster") -> Path:
    """Write ``parent/inventory/<cluster>`` as a deployment leaves it; returns its path."""
    inv = parent / "inventory" / cluster
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "group_vars" / "k8s_cluster").mkdir()
    (inv / "inventory.ini").write_text(INVENTORY_INI)
    (inv / "group_vars" / "all" / "all.yml").write_text("---\nbin_dir: /usr/local/bin\n")
    (inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml").write_text(K8S_CLUSTER_YML)
    creds = inv / "credentials"
    creds.mkdir()
    (creds / "kubeadm_certificate_key.creds").write_text(CERTIFICATE_KEY + "\n")
    (creds / "kube_encrypt_token.creds").write_text(ENCRYPT_TOKEN + "\n")
    artifacts = inv / "artifacts"
    artifacts.mkdir()
    (artifacts / "admin.conf").write_text(ADMIN_CONF)
    (artifacts / "admin.conf").chmod(0o600)
    for name in ("kubectl", "kubectl.sh"):
        (artifacts / name).write_text(marker_script(marker))
        (artifacts / name).chmod(0o755)
    return inv
