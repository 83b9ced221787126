"""Measure ``node-timing simulate``: 1,000 nodes x 30 simulated minutes.

    python benchmarks/simulate.py            # 5 repeats of each case
    python benchmarks/simulate.py --repeat 1 # smoke

Cases (medians over ``--repeat``; each pair alternates A B, B A, ... so load hits both alike):
  aggregate  zone-outage, 40 of 1,000 nodes fail (medium profile): healthy nodes aggregated vs
             every kubelet simulated renewal by renewal (the alternative: same events, checked)
  slow       apiserver-slow, 1,000 nodes, upstream profile, exp:8s latency for 1 minute: nodes
             let go once healthy again vs every kubelet simulated (and its events per second)
  cli        ``node-timing simulate --profile medium --nodes 1000 --scenario zone-outage
             --failed 40`` vs ``node-timing profile medium --nodes 1000``: the command as run,
             start-up included
Nothing here asserts an absolute time.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable

from node_timing import profiles
from node_timing.simulate import scenarios as sc

NODE_TIMING = ["-c", "import sys; from node_timing.cli import main; sys.exit(main())"]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _alternate(
    a: Callable[[], object], b: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median wall seconds of ``a`` and ``b``, run alternately after one warm-up each."""
    a(), b()
    ta: list[float] = []
    tb: list[float] = []
    for i in range(repeat):
        for fn, times in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return _median(ta), _median(tb)


def _run(*args: str) -> None:
    subprocess.run([sys.executable, *NODE_TIMING, *args], check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []

    medium = profiles.compute("medium", 1000).settings
    outage = sc.Scenario("zone-outage", 1000, failed=40)
    agg = sc.run_once(outage, medium, 1)
    full = sc.run_once(outage, medium, 1, aggregate=False)
    assert agg.events == full.events, "aggregation changed the outcome"
    t_agg, t_full = _alternate(
        lambda: sc.run_once(outage, medium, 1),
        lambda: sc.run_once(outage, medium, 1, aggregate=False),
        args.repeat,
    )
    rows.append(
        (
            "zone-outage 40/1,000, 30 min: aggregated vs every kubelet simulated",
            f"{t_agg:.3f} s ({agg.processed:,} events)",
            f"{t_full:.3f} s ({full.processed:,} events)",
            f"{t_full / t_agg:.0f} x faster, same events",
        )
    )

    upstream = profiles.compute("upstream", 1000).settings
    slow = sc.Scenario("apiserver-slow", 1000)
    agg = sc.run_once(slow, upstream, 1)
    full = sc.run_once(slow, upstream, 1, aggregate=False)
    assert agg.events == full.events, "letting healthy nodes go changed the outcome"
    t_agg, t_full = _alternate(
        lambda: sc.run_once(slow, upstream, 1),
        lambda: sc.run_once(slow, upstream, 1, aggregate=False),
        args.repeat,
    )
    rows.append(
        (
            "apiserver-slow 1,000 nodes (upstream, exp:8s for 1 min), 30 min: healthy nodes let "
            "go again vs every kubelet simulated",
            f"{t_agg:.3f} s ({agg.processed:,} events)",
            f"{t_full:.3f} s ({full.processed:,} events, {full.processed / t_full:,.0f} events/s)",
            f"{t_full / t_agg:.0f} x faster, same events",
        )
    )

    t_cli, t_profile = _alternate(
        lambda: _run(
            "simulate",
            "--profile",
            "medium",
            "--nodes",
            "1000",
            "--scenario",
            "zone-outage",
            "--failed",
            "40",
        ),
        lambda: _run("profile", "medium", "--nodes", "1000"),
        args.repeat,
    )
    rows.append(
        (
            "`simulate ... zone-outage --failed 40` vs `profile medium --nodes 1000`",
            f"{t_cli:.3f} s",
            f"{t_profile:.3f} s",
            f"{t_cli / t_profile:.1f} x `profile`",
        )
    )

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Machine: nproc {os.cpu_count()}; {platform.processor() or platform.machine()}; "
        f"Python {platform.python_version()}; load average {load:.1f}; median of {args.repeat}"
    )
    print()
    print("| case | ours | alternative | result |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
