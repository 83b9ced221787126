"""Hostile command-line input: numbers, files given as options, a removed working directory.

Each runs ``node-timing`` in a subprocess with the hostile corpus's limits (2 GiB of address
space, a time limit) and must end with one error line and exit 3 (or the documented code), never
a traceback, an internal error, or a non-finite number in the output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_hostile import TIME_LIMIT, _limits, run_limited

import node_timing

PROFILE = ["profile", "fast", "--nodes", "100"]
RENDER = ["render", "--profile", "fast", "--nodes", "100"]
HUGE = "9" * 5000  # beyond Python's 4,300-digit limit for int()


def one_error_line(proc: subprocess.CompletedProcess[str], code: int = 3) -> str:
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert proc.returncode == code, output[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("node-timing: error: ")
    assert len(lines[0]) < 1000  # a 5,000-digit argument is shortened
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--heartbeat-budget", "1e-300"], "at least 0.001"),
        (["--heartbeat-budget", "5e-324"], "at least 0.001"),
        (["--heartbeat-budget", "inf"], "finite number of writes per second > 0"),
        (["--heartbeat-budget", "nan"], "finite number of writes per second > 0"),
        (["--heartbeat-budget", "0"], "finite number of writes per second > 0"),
        (["--heartbeat-budget", "-1"], "finite number of writes per second > 0"),
        (["--nodes", "1000001"], "--nodes: must be at most 1,000,000"),
        (["--nodes", HUGE], "--nodes: must be at most 1,000,000"),
        (["--nodes", "-5"], "--nodes: must not be negative"),
        (["--nodes", "0"], "--nodes: must be at least 1"),
        (["--nodes", "1e3"], "--nodes: expected a whole number"),
        (["--lease-bytes", HUGE], "--lease-bytes: must be at most 1,073,741,824"),
        (["--node-status-bytes", "99999999999999999999"], "--node-status-bytes: must be at most"),
        (
            ["--set", "controller_manager.node_eviction_rate=nan"],
            "node_eviction_rate must be a finite number, got 'nan'",
        ),
        (
            ["--set", "controller_manager.node_eviction_rate=inf"],
            "node_eviction_rate must be a finite number",
        ),
        (
            ["--set", "controller_manager.secondary_node_eviction_rate=1e400"],
            "secondary_node_eviction_rate must be a finite number",
        ),
        (["--set", "controller_manager.node_eviction_rate=-1"], "must be in [0, ∞), got '-1'"),
        (
            ["--set", "kubelet.node_lease_duration_seconds=99999999999999999999"],
            "node_lease_duration_seconds must be at most 2147483647",
        ),
        (
            ["--set", f"kubelet.node_lease_duration_seconds={HUGE}"],
            "node_lease_duration_seconds must be at most 2147483647",
        ),
        (
            ["--set", f"apiserver.default_not_ready_toleration_seconds=-{HUGE}"],
            "default_not_ready_toleration_seconds must be at least 0",
        ),
        (
            ["--set", "controller_manager.large_cluster_size_threshold=2147483648"],
            "large_cluster_size_threshold must be at most 2147483647",
        ),
    ],
)
def test_profile_refuses_bad_numbers(tmp_path: Path, args: list[str], message: str) -> None:
    line = one_error_line(run_limited(*PROFILE, *args, "--format", "json", cwd=tmp_path))
    assert message in line


@pytest.mark.parametrize("threshold", ["0", "2"])
def test_profile_set_takes_a_zone_threshold_lint_only_warns_about(
    tmp_path: Path, threshold: str
) -> None:
    """Kubernetes runs any finite zone threshold; lint calls one outside (0, 1] a policy warning,
    and ``profile --set`` gives the same verdict instead of refusing it."""
    proc = run_limited(
        *PROFILE, "--set", f"controller_manager.unhealthy_zone_threshold={threshold}", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning eviction-rate: unhealthy-zone-threshold" in proc.stderr


def test_profile_json_stays_json_at_the_limits(tmp_path: Path) -> None:
    """The largest node count with the smallest budget that still fits, and huge object sizes:
    finite figures, strict JSON."""
    proc = run_limited(
        "profile",
        "low",
        "--nodes",
        "1000000",
        "--heartbeat-budget",
        "0.01",
        "--lease-bytes",
        str(1 << 30),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["settings"]["kubelet"]["node_lease_duration_seconds"] <= (1 << 31) - 1
    assert data["stretched"] is True


@pytest.mark.parametrize(
    "setting",
    [
        "controller_manager.node_eviction_rate=nan",
        "controller_manager.node_eviction_rate=-0.5",
        "apiserver.default_not_ready_toleration_seconds=-1",
        "kubelet.node_lease_duration_seconds=99999999999999999999",
    ],
)
def test_render_set_refuses_bad_numbers_and_writes_nothing(tmp_path: Path, setting: str) -> None:
    proc = run_limited(*RENDER, "--set", setting, "--out", "out", cwd=tmp_path)
    one_error_line(proc)
    assert not (tmp_path / "out").exists()


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _sparse(path: Path) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(17 << 20)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: "/dev/zero", "/dev/zero: cannot read: not a regular file"),
        (lambda tmp: _fifo(tmp / "manifest.yaml"), "cannot read: not a regular file"),
        (lambda tmp: _sparse(tmp / "manifest.yaml"), "file larger than 16 MiB"),
        (lambda tmp: tmp, "cannot read: a directory"),
    ],
    ids=["dev-zero", "fifo", "17mib", "directory"],
)
def test_patch_manifest_reads_only_bounded_regular_files(
    tmp_path: Path, make: object, message: str
) -> None:
    target = make(tmp_path)  # type: ignore[operator]
    proc = run_limited(*RENDER, "--patch-manifest", str(target), cwd=tmp_path)
    assert message in one_error_line(proc)


@pytest.mark.parametrize(
    "command",
    [
        ["lint", "inventory"],
        ["explain", "inventory"],
        PROFILE,
        [*RENDER, "--out", "out"],
    ],
    ids=["lint", "explain", "profile", "render"],
)
def test_removed_working_directory_is_one_line(tmp_path: Path, command: list[str]) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "NODE_TIMING_DEBUG"}
    env["PYTHONPATH"] = str(Path(node_timing.__file__).parent.parent)
    # The shell enters the directory and removes it; Python then starts in a cwd that is gone.
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    proc = subprocess.run(
        ["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "node_timing", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )
    assert "the working directory is gone" in one_error_line(proc)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nodes", HUGE], "--nodes: must be at most 1,000,000"),
        (["--nodes", "1000001"], "--nodes: must be at most 1,000,000"),
        (["--nodes", "0"], "--nodes: must be at least 1"),
    ],
)
@pytest.mark.parametrize("command", ["lint", "explain", "fix"])
def test_lint_and_explain_refuse_huge_node_counts(
    tmp_path: Path, command: str, args: list[str], message: str
) -> None:
    inv = tmp_path / "inventory"
    inv.mkdir()
    (inv / "inventory.ini").write_text("[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n")
    assert message in one_error_line(run_limited(command, str(inv), *args, cwd=tmp_path))


@pytest.mark.parametrize("budget", ["inf", "1e309"])
def test_lint_refuses_an_infinite_heartbeat_budget(tmp_path: Path, budget: str) -> None:
    inv = tmp_path / "inventory"
    inv.mkdir()
    (inv / "inventory.ini").write_text("[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n")
    proc = run_limited("lint", str(inv), "--heartbeat-budget", budget, cwd=tmp_path)
    assert "heartbeat budget must be a finite number" in one_error_line(proc)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("/dev/zero", "/dev/zero: cannot read: not a regular file"),
        ("fifo", "fifo: cannot read: not a regular file"),
        ("deep.yml", "deep.yml:1: nested deeper than 100 levels"),
    ],
)
def test_lint_config_option_reads_only_bounded_regular_files(
    tmp_path: Path, config: str, message: str
) -> None:
    inv = tmp_path / "inventory"
    inv.mkdir()
    (inv / "inventory.ini").write_text("[kube_node]\nnode1\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "deep.yml").write_text("warn_list: " + "[" * 200 + "]" * 200 + "\n")
    proc = run_limited("lint", "inventory", "-c", config, cwd=tmp_path)
    assert message in one_error_line(proc)
