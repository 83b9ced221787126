"""Hostile kubelet units through ``verify`` and through the role's verify filters: CPU seconds and
peak memory per run, and their growth as the unit doubles.

    python benchmarks/units.py                      # 256 KiB, 512 KiB and 1 MiB, every shape
    python benchmarks/units.py --sizes 1048576 --shape expansion

Each measured command runs in a child process; CPU is the child's user + system time and memory
its ``ru_maxrss``, as ``os.wait4`` reports them. ``verify`` reads the unit from a collected
directory (``--collected DIR``, DIR/node1/<path on the node>); the filters get the same files as
``{node path: text}``, as the role's read module returns them: ``node_timing_kubelet_verify``
(apply's check) and ``node_timing_verify`` (the role's verify). The shapes are
``gen_units.py``'s. Nothing here asserts a time: the table shows the numbers and the growth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_units import SHAPES, unit_files, write_root  # noqa: E402

INVENTORY = "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n"

FILTERS = r"""
import json, sys
from node_timing.ansible_filters import node_timing_profile
from node_timing.ansible_filters.node import node_timing_kubelet_verify
from node_timing.ansible_filters.check import node_timing_verify
files = json.load(open(sys.argv[1]))
profile = node_timing_profile("upstream", nodes=2)
node_timing_kubelet_verify(files, profile)
node_timing_verify({"node1": files}, {"node1": {}}, control_plane=["cp1"])
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, peak MB) of ``cmd`` in a child process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 2) or "Traceback" in err:
        raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}\n{err[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default=f"{256 << 10},{512 << 10},{1 << 20}")
    ap.add_argument("--shape", action="append", choices=SHAPES)
    ap.add_argument("--src", help="a source tree to measure instead of the installed package")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = args.src
    print("| shape | size | verify CPU s | verify MB | filters CPU s | filters MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for shape in args.shape or SHAPES:
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                files = unit_files(shape, size)
                write_root(work / "collected" / "node1", files)
                (work / "inv").mkdir()
                (work / "inv" / "inventory.ini").write_text(INVENTORY)
                (work / "files.json").write_text(json.dumps(files))
                verify = run(
                    [
                        sys.executable,
                        "-m",
                        "node_timing",
                        "verify",
                        str(work / "inv"),
                        "--collected",
                        str(work / "collected"),
                    ],
                    env,
                )
                filters = run([sys.executable, "-c", FILTERS, str(work / "files.json")], env)
            print(
                f"| {shape} | {size >> 10} KiB | {verify[0]:.2f} | {verify[1]:.0f} "
                f"| {filters[0]:.2f} | {filters[1]:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
