"""Generate the files Ansible's ``fetch`` brings back from the hosts of a generated inventory.

    python benchmarks/gen_collected.py --hosts 1000 OUTDIR

Writes OUTDIR/<host>/<absolute path on the node> (what ``node-timing verify --collected`` reads)
for every host of the inventory ``gen_inventory.py`` writes with the same ``--hosts`` and
``--host-vars-share``: kubespray's kubelet files (``kubelet.service``, ``kubelet.env``,
``kubelet-config.yaml``) on every host, and the static Pods and kubeadm configuration on the 3
control-plane hosts. Every value matches the inventory (the workers with a host_vars file run its
update frequency), except on a share of the workers (``--drift-share``, default 10 %, other
workers than those with a host_vars file) whose kubelet runs another lease duration: one
``deployed-drift`` finding each.

The file formats are ``tests/node_layout.py``'s writers, the ones the tests of ``verify`` use.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from gen_inventory import host_names, picked  # noqa: E402
from node_layout import collected_kubespray  # noqa: E402

# What gen_inventory.K8S_CLUSTER_YML and its host_vars files set; run.py checks that verify
# finds exactly one drift per drifted worker, so a change on one side and not the other shows.
UPDATE, HOST_VARS_UPDATE = "10s", "20s"
KUBELET_EXTRA = {"nodeStatusReportFrequency": "5m0s", "nodeLeaseDurationSeconds": 40}
DRIFTED_EXTRA = {**KUBELET_EXTRA, "nodeLeaseDurationSeconds": 60}
CONTROLLER = {"node-startup-grace-period": "1m0s"}  # grace 40s, period 5s: kubespray's defaults
# Shifts the drifted workers off those with a host_vars file (every 10th from the first at 10 %).
DRIFT_OFFSET = 5


def generate_collected(
    out: Path, hosts: int, host_vars_share: float = 0.1, drift_share: float = 0.1
) -> int:
    """Write the collected files of every host under ``out``; returns how many workers drift."""
    cp, workers = host_names(hosts)
    drifted = {h for n, h in enumerate(workers) if picked(n, drift_share, DRIFT_OFFSET)}
    kubelet = {h: DRIFTED_EXTRA if h in drifted else KUBELET_EXTRA for h in cp + workers}
    own = {h for n, h in enumerate(workers) if picked(n, host_vars_share)}
    for update, group in (
        (UPDATE, [h for h in cp + workers if h not in own]),
        (HOST_VARS_UPDATE, [h for h in workers if h in own]),
    ):
        collected_kubespray(
            out,
            kubelet=kubelet,
            controller=CONTROLLER,
            hosts=tuple(group),
            control_plane_hosts=tuple(cp),
            update=update,
        )
    return len(drifted)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("outdir", type=Path)
    ap.add_argument(
        "--hosts", type=int, default=100, help="number of worker hosts (plus 3 control plane)"
    )
    ap.add_argument(
        "--host-vars-share",
        type=float,
        default=0.1,
        help="the inventory's --host-vars-share (default 0.1)",
    )
    ap.add_argument(
        "--drift-share",
        type=float,
        default=0.1,
        help="share of workers whose kubelet runs another value, 0 to 1 (default 0.1)",
    )
    args = ap.parse_args(argv)
    drifted = generate_collected(args.outdir, args.hosts, args.host_vars_share, args.drift_share)
    print(f"{os.fspath(args.outdir)}: {drifted} drifted worker(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
