"""The hostile corpus (tests/hostile/corpus.py): every case ends in bounded time and memory with
the documented exit code and message, never a traceback and never the internal-error line."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hostile.corpus import CASES, MARKER, Case

import node_timing

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 2 << 30  # bytes of address space for one run
TIME_LIMIT = 60  # seconds


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def build(case: Case, root: Path) -> Path:
    inv = root / "inventory"
    inv.mkdir()
    if case.hosts is not None:
        (inv / "inventory.ini").write_text(case.hosts)
    for rel, content in case.files.items():
        target = inv / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return inv


def run_limited(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NODE_TIMING_DEBUG")}
    # the package under test, also when the working directory changes
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(node_timing.__file__).parent.parent), env.get("PYTHONPATH", "")]
    )
    return subprocess.run(
        [sys.executable, "-m", "node_timing", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )


# Root reads a chmod-000 file anyway, so that case cannot be staged as root (CI runs as root);
# the FIFO and directory-in-place-of-a-file cases cover unreadable input there.
RUNNABLE = [c for c in CASES if not (c.needs_non_root and os.geteuid() == 0)]


@pytest.mark.parametrize("case", RUNNABLE, ids=[c.name for c in RUNNABLE])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    inv = build(case, tmp_path)
    try:
        proc = run_limited("lint", str(inv), "--format", "pep8", cwd=tmp_path)
    finally:
        # rm removes a tree 1,500 levels deep; pytest's own clean-up recurses and would fail
        subprocess.run(["rm", "-rf", str(inv)], check=True)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert "internal error" not in output
    assert proc.returncode == case.exit, output[-3000:]
    assert case.expect in output, output[-3000:]
    for text in case.absent:
        assert text not in output
    assert not list(tmp_path.rglob(MARKER)), "something from the inventory ran"
    if proc.returncode in (3, 5):
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for line in proc.stdout.splitlines():
        assert len(line) < 2000, line[:200]  # quoted values are shortened
        # no editor or code-scanning view can show line 0
        assert not re.search(r":0:\d+: [a-z-]+(\[[a-z-]+\])?: ", line), line[:200]


# Every other command that reads an inventory, with the exit codes it documents.
OTHER_COMMANDS = {
    "explain": (("explain", "{inv}"), {0, 3, 5}),
    "fix-check": (("fix", "{inv}", "--check"), {0, 2, 3, 5}),
    "fix": (("fix", "{inv}"), {0, 2, 3, 5, 8}),
    "render-inventory": (("render", "--inventory", "{inv}", "--out", "{out}"), {0, 2, 3, 5}),
}


@pytest.mark.parametrize("command", OTHER_COMMANDS)
@pytest.mark.parametrize("case", RUNNABLE, ids=[c.name for c in RUNNABLE])
def test_hostile_case_other_commands(case: Case, command: str, tmp_path: Path) -> None:
    """The corpus through explain, fix --check, fix and render --inventory: bounded, a documented
    exit code, never a traceback, nothing run; fix and render write nothing outside their root."""
    template, codes = OTHER_COMMANDS[command]
    inv = build(case, tmp_path)
    outside = {
        p: p.read_bytes()
        for p in tmp_path.iterdir()
        if p.is_file()  # beside the inventory: nothing may change there
    }
    args = [a.format(inv=inv, out=tmp_path / "out") for a in template]
    try:
        proc = run_limited(*args, cwd=tmp_path)
    finally:
        subprocess.run(["rm", "-rf", str(inv)], check=True)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert "internal error" not in output
    assert proc.returncode in codes, output[-3000:]
    for text in case.absent:
        assert text not in output
    assert not list(tmp_path.rglob(MARKER)), "something from the inventory ran"
    assert {p: p.read_bytes() for p in outside} == outside
    if proc.returncode in (3, 5):
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_every_case_is_documented() -> None:
    doc = (ROOT / "docs" / "limits.md").read_text()
    missing = [c.name for c in CASES if f"`{c.name}`" not in doc]
    assert not missing


HOSTILE_HOSTS = (
    "all:\n  children:\n    kube_control_plane:\n      hosts:\n        '../../etc/passwd':\n"
    "        '$(touch pwned)':\n        'a;b':\n        '/tmp/abs':\n        'nœud-é':\n"
    "    kube_node:\n      hosts:\n        '..':\n        'x/../../y':\n"
)


def test_render_with_hostile_host_names_writes_only_under_out(tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text(HOSTILE_HOSTS)
    (inv / "host_vars").mkdir()
    (inv / "host_vars" / "a;b.yml").write_text("kube_controller_node_monitor_grace_period: 50s\n")
    work = tmp_path / "work"
    work.mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    proc = run_limited("render", "--inventory", str(inv), "--out", "out", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    new = [p for p in after if p not in before]
    assert new and all(p.parts[:2] == ("work", "out") for p in new), new
    assert not (work / "pwned").exists()


def test_fix_with_hostile_host_names_writes_only_inside_the_inventory(tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yaml").write_text(HOSTILE_HOSTS)
    (inv / "host_vars").mkdir()
    (inv / "host_vars" / "a;b.yml").write_text(
        "kube_apiserver_pod_eviction_unreachable_timeout_seconds: 30s\n"
    )
    (inv / "group_vars").mkdir()
    (inv / "group_vars" / "all.yml").write_text("kubelet_status_update_frequency: 10s\n")
    work = tmp_path / "work"
    work.mkdir()
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    proc = run_limited("fix", str(inv), cwd=work)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "internal error" not in output
    assert proc.returncode in (0, 2, 8), output
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    changed = [p for p in after if before.get(p) != after[p]]
    assert changed, output  # the repairs were made ...
    assert all(p.parts[0] == "inv" for p in changed), changed  # ... and only inside the inventory
    assert (
        b'"30"' in after[Path("inv/host_vars/a;b.yml")]
        or b"'30'" in after[Path("inv/host_vars/a;b.yml")]
    )
    assert not (work / "pwned").exists() and not list(tmp_path.rglob("pwned"))


def test_render_out_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("keep me\n")
    proc = run_limited("render", "--profile", "fast", "--nodes", "10", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and "not a directory" in proc.stderr
    assert (tmp_path / "out").read_text() == "keep me\n"


def test_render_out_through_symlink_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "kubelet").symlink_to(outside)
    proc = run_limited("render", "--profile", "fast", "--nodes", "10", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "outside" in proc.stderr and proc.stderr.count("\n") == 1
    assert list(outside.iterdir()) == []


def test_internal_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from node_timing import cli
    from node_timing.commands import rules

    def boom(_args: object) -> int:
        raise RuntimeError("simulated\nbug")

    monkeypatch.setattr(rules, "run", boom)
    monkeypatch.delenv("NODE_TIMING_DEBUG", raising=False)
    assert cli.main(["rules"]) == 1
    err = capsys.readouterr().err
    assert err == "node-timing: internal error: RuntimeError: simulated bug (please report)\n"
