"""Generate a kubespray-style inventory for benchmarks and tests.

    python benchmarks/gen_inventory.py --hosts 5000 --format ini OUTDIR

Writes OUTDIR/inventory.ini or OUTDIR/hosts.yaml (3 control-plane hosts, N workers, etcd on
the control plane, every host with ansible_host and ip), kubespray's sample group_vars layout
(group_vars/all/{all,etcd,containerd}.yml, group_vars/k8s_cluster/{k8s-cluster,addons,
k8s-net-calico}.yml) with the timing settings at group level in k8s-cluster.yml, and a host_vars
file for a share of the workers (default 10 %) that overrides one timing variable. With
``--distinct`` every such file sets its own value (and its own eviction timeouts), so every worker
is a group of its own: the worst case for grouping hosts by their values.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ALL_YML = """---
ansible_user: ubuntu
bin_dir: /usr/local/bin
loadbalancer_apiserver_port: 6443
upstream_dns_servers:
  - 8.8.8.8
  - 8.8.4.4
no_proxy_exclude_workers: false
"""

K8S_CLUSTER_YML = """---
kube_version: 1.33.4
kube_network_plugin: calico
kubelet_status_update_frequency: 10s
kube_controller_node_monitor_grace_period: 40s
kube_controller_node_monitor_period: 5s
kube_apiserver_pod_eviction_not_ready_timeout_seconds: "300"
kube_apiserver_pod_eviction_unreachable_timeout_seconds: "300"
kubelet_config_extra_args:
  nodeStatusReportFrequency: 5m0s
  nodeLeaseDurationSeconds: 40
kube_kubeadm_controller_extra_args:
  node-startup-grace-period: 1m0s
"""


ETCD_YML = """---
etcd_data_dir: /var/lib/etcd
etcd_deployment_type: host
"""

CONTAINERD_YML = """---
containerd_storage_dir: /var/lib/containerd
containerd_max_container_log_line_size: 16384
"""

ADDONS_YML = """---
helm_enabled: false
metrics_server_enabled: true
ingress_nginx_enabled: false
"""

CALICO_YML = """---
calico_network_backend: bird
calico_pool_blocksize: 26
"""

GROUP_VARS = {
    "all": {"all.yml": ALL_YML, "etcd.yml": ETCD_YML, "containerd.yml": CONTAINERD_YML},
    "k8s_cluster": {
        "k8s-cluster.yml": K8S_CLUSTER_YML,
        "addons.yml": ADDONS_YML,
        "k8s-net-calico.yml": CALICO_YML,
    },
}


def host_names(hosts: int) -> tuple[list[str], list[str]]:
    """The 3 control-plane hosts and the ``hosts`` workers of a generated inventory."""
    width = max(4, len(str(hosts)))
    return [f"cp{i}" for i in range(1, 4)], [f"node{i:0{width}d}" for i in range(1, hosts + 1)]


def picked(n: int, share: float, offset: int = 0) -> bool:
    """Whether worker ``n`` (0-based) is one of a ``share`` of the workers, spread evenly.

    Worker n is picked when the running share crosses a whole number, so share × N workers
    (rounded down) are, evenly spaced (every 10th at 10 %); ``offset`` shifts the pattern, so
    that another share of the same size picks other workers (then the count may be one off)."""
    share = min(max(share, 0.0), 1.0)
    n += offset
    return int((n + 1) * share + 1e-9) > int(n * share + 1e-9)


def generate(
    out: Path, hosts: int, fmt: str, host_vars_share: float = 0.1, distinct: bool = False
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    cp, workers = host_names(hosts)
    ip = {
        h: f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}" for n, h in enumerate(cp + workers, 1)
    }
    if fmt == "ini":
        lines = ["[all]"]
        lines += [f"{h} ansible_host={ip[h]} ip={ip[h]}" for h in cp + workers]
        lines += ["", "[kube_control_plane]", *cp, "", "[etcd]", *cp, "", "[kube_node]", *workers]
        lines += ["", "[calico_rr]", ""]
        # Declared, so that ansible-inventory applies group_vars/k8s_cluster as the linter does.
        lines += ["[k8s_cluster:children]", "kube_control_plane", "kube_node", "calico_rr", ""]
        source = out / "inventory.ini"
        source.write_text("\n".join(lines) + "\n")
    else:
        lines = ["all:", "  hosts:"]
        for h in cp + workers:
            lines += [f"    {h}:", f"      ansible_host: {ip[h]}", f"      ip: {ip[h]}"]
        lines += ["  children:"]
        for group, members in (("kube_control_plane", cp), ("etcd", cp), ("kube_node", workers)):
            lines += [f"    {group}:", "      hosts:"] + [f"        {h}:" for h in members]
        lines += [
            "    k8s_cluster:",
            "      children:",
            "        kube_control_plane:",
            "        kube_node:",
        ]
        lines += ["    calico_rr:", "      hosts: {}"]
        source = out / "hosts.yaml"
        source.write_text("\n".join(lines) + "\n")
    for group, files in GROUP_VARS.items():
        (out / "group_vars" / group).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / "group_vars" / group / name).write_text(text)
    hv = out / "host_vars"
    hv.mkdir(exist_ok=True)
    for n, h in enumerate(workers):
        if picked(n, host_vars_share):
            text = f"---\nnode_labels:\n  rack: r{n % 40}\nkubelet_status_update_frequency: 20s\n"
            if distinct:
                text = (
                    f"---\nnode_labels:\n  rack: r{n % 40}\n"
                    f"kubelet_status_update_frequency: {10 + n}s\n"
                    f"kubelet_config_extra_args:\n  nodeLeaseDurationSeconds: {40 + n}\n"
                )
            (hv / f"{h}.yml").write_text(text)
    return source


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("outdir", type=Path)
    ap.add_argument(
        "--hosts", type=int, default=100, help="number of worker hosts (plus 3 control plane)"
    )
    ap.add_argument("--format", choices=("ini", "yaml"), default="ini")
    ap.add_argument(
        "--host-vars-share",
        type=float,
        default=0.1,
        help="share of workers with a host_vars file, 0 to 1 (default 0.1)",
    )
    ap.add_argument(
        "--distinct",
        action="store_true",
        help="every host_vars file sets values of its own (one group per host)",
    )
    args = ap.parse_args(argv)
    src = generate(args.outdir, args.hosts, args.format, args.host_vars_share, args.distinct)
    print(os.fspath(src))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
