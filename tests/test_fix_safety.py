"""`node-timing fix` reads only what it edits, writes only regular files inside the project
root, keeps each file's metadata, and leaves every file old or new when it is interrupted."""

from __future__ import annotations

import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from fsutil import set_user_xattr_or_skip

import node_timing
from node_timing.cli import main
from node_timing.rules.runner import lint_inventory

MEMORY_LIMIT = 2 << 30  # bytes of address space for one run
TIME_LIMIT = 60  # seconds: a hang fails the test instead of blocking the suite
HOSTS = "[kube_control_plane]\ncp1\n\n[kube_node]\nnode1\n\n[k8s_cluster:children]\nkube_control_plane\nkube_node\n"
K8S = "group_vars/k8s_cluster/k8s-cluster.yml"
# duration-format: a bare number is fixed to a duration; the extra-args dict has the report key,
# so nothing else is needed and no new file is created.
FIXABLE = "kube_version: v1.35.4\nkubelet_status_update_frequency: 10  # kept\n"
FIXED = "kube_version: v1.35.4\nkubelet_status_update_frequency: 10s  # kept\n"
REPORT = "kubelet_config_extra_args:\n  nodeStatusReportFrequency: 5m0s\n"


def project(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """``tmp_path/proj`` (a repository: the project root) holding ``inventory/``."""
    proj = tmp_path / "proj"
    (proj / ".git").mkdir(parents=True)
    inv = proj / "inventory"
    inv.mkdir()
    (inv / "inventory.ini").write_text(HOSTS)
    for rel, text in (files or {}).items():
        target = inv / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return inv


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file bytes, or ``-> target`` for a symlink."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            full = Path(dirpath) / name
            rel = str(full.relative_to(root))
            if full.is_symlink():
                out[rel] = "-> " + os.readlink(full)
            elif full.is_file():
                out[rel] = full.read_bytes()
    return out


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _env(tmpdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NODE_TIMING_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(node_timing.__file__).parent.parent), env.get("PYTHONPATH", "")]
    )
    env["TMPDIR"] = str(tmpdir)  # private and empty: whatever lands there is a leak
    return env


def start(args: list[str], cwd: Path, tmpdir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=_env(tmpdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limits,
    )


def run_fix(inv: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "node_timing", "fix", str(inv), *extra],
        cwd=tmp_path,
        env=_env(tmpdir),
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert os.listdir(tmpdir) == []
    return proc


# ------------------------------------------------------------------ symlinks and the project root


def read_by_the_loader(inv: Path, path: Path) -> bool:
    """Whether lint reports a finding in ``path`` (the loader may refuse to follow a symlink out
    of the project root itself; then fix has nothing to refuse)."""
    _ctx, findings = lint_inventory(inv)
    return any(f.path == str(path) and not f.message.startswith("not read") for f in findings)


def assert_refused(inv: Path, path: Path, code: int, err: str, why: str) -> None:
    if read_by_the_loader(inv, path):
        assert code == 2
        assert f"{path}: {why}: not edited" in err
    else:
        assert code in (0, 2)


def test_file_symlink_out_of_the_root_is_not_written(tmp_path: Path, capsys) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "vars.yml"
    victim.write_text(FIXABLE)
    inv = project(tmp_path, {"group_vars/k8s_cluster/extra.yml": REPORT})
    (inv / K8S).symlink_to(victim)
    before = tree(tmp_path)
    code = main(["fix", str(inv)])
    assert tree(tmp_path) == before
    why = f"it resolves outside {tmp_path / 'proj'}"
    assert_refused(inv, inv / K8S, code, capsys.readouterr().err, why)


def test_directory_symlink_out_of_the_root_is_not_written(tmp_path: Path, capsys) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "k8s-cluster.yml").write_text(FIXABLE + REPORT)
    inv = project(tmp_path)
    (inv / "group_vars").mkdir()
    (inv / "group_vars" / "k8s_cluster").symlink_to(outside, target_is_directory=True)
    before = tree(tmp_path)
    code = main(["fix", str(inv)])
    assert tree(tmp_path) == before
    why = f"it resolves outside {tmp_path / 'proj'}"
    assert_refused(inv, inv / K8S, code, capsys.readouterr().err, why)


def test_the_writer_refuses_what_leaves_the_root(tmp_path: Path) -> None:
    """What fix checks before editing a file, whatever the loader follows."""
    from node_timing.fix.engine import _to_real
    from node_timing.fix.plan import Op

    inv = project(tmp_path)
    root = str((tmp_path / "proj").resolve())
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "f.yml").write_text("a: 1\n")
    (inv / "file.yml").symlink_to(tmp_path / "outside" / "f.yml")
    (inv / "dir").symlink_to(tmp_path / "outside", target_is_directory=True)
    (inv / "dangling.yml").symlink_to(tmp_path / "outside" / "nothing.yml")
    (inv / "inside.yml").symlink_to("inventory.ini")
    skipped: list[str] = []
    ops = [
        Op("set", str(inv / name), 1, "a", value=2)
        for name in ("file.yml", "dir/f.yml", "dangling.yml", "inside.yml")
    ]
    kept = _to_real(ops, root, skipped)
    assert [o.file for o in kept] == [str((inv / "inventory.ini").resolve())]
    assert skipped == [
        f"{inv / 'file.yml'}: it resolves outside {root}: not edited",
        f"{inv / 'dir/f.yml'}: it resolves outside {root}: not edited",
        f"{inv / 'dangling.yml'}: is a dangling symlink: not edited",
    ]


@pytest.mark.parametrize("where", ["outside", "inside"])
def test_no_file_is_created_through_a_dangling_symlink(tmp_path: Path, capsys, where) -> None:
    # report-frequency: no kubelet_config_extra_args anywhere, so fix creates the default file
    inv = project(tmp_path, {K8S: "kube_version: v1.35.4\nkubelet_status_update_frequency: 10s\n"})
    default = inv / "group_vars" / "k8s_cluster" / "node-timing.yml"
    missing = tmp_path / "outside" / "new.yml" if where == "outside" else inv / "missing.yml"
    default.symlink_to(missing)
    before = tree(tmp_path)
    assert main(["fix", str(inv)]) == 0  # report-frequency is a warning: it stays, reported
    assert tree(tmp_path) == before
    assert not missing.exists() and not (tmp_path / "outside").exists()
    err = capsys.readouterr().err
    assert f"{default}: is a dangling symlink: not edited" in err


def test_symlinks_inside_the_root_are_written_through(tmp_path: Path, capsys) -> None:
    """group_vars shared by a symlinked directory, and a vars file shared by a symlink: the
    real files are fixed, the links stay links, and the output names the real files."""
    inv = project(tmp_path)
    shared = tmp_path / "proj" / "shared"
    (shared / "k8s_cluster").mkdir(parents=True)
    (shared / "k8s_cluster" / "k8s-cluster.yml").write_text(FIXABLE + REPORT)
    (shared / "all.yml").write_text("kube_apiserver_pod_eviction_not_ready_timeout_seconds: 30s\n")
    (inv / "group_vars").symlink_to("../shared", target_is_directory=True)
    (inv / "host_vars").mkdir()
    (inv / "host_vars" / "node1.yml").symlink_to("../../shared/all.yml")
    assert main(["fix", str(inv)]) == 8
    assert (shared / "k8s_cluster" / "k8s-cluster.yml").read_text() == FIXED + REPORT
    assert (shared / "all.yml").read_text() == (
        'kube_apiserver_pod_eviction_not_ready_timeout_seconds: "30"\n'
    )
    assert (inv / "group_vars").is_symlink() and (inv / "host_vars" / "node1.yml").is_symlink()
    err = capsys.readouterr().err
    real = shared.resolve()
    assert f"fixed: {real / 'k8s_cluster' / 'k8s-cluster.yml'} (duration-format)" in err
    assert f"fixed: {real / 'all.yml'} (seconds-format)" in err


# ------------------------------------------------------------------------ what fix never opens


def _zero(target: Path) -> None:
    os.symlink("/dev/zero", target)


def _fifo(target: Path) -> None:
    os.mkfifo(target)


def _socket(target: Path) -> None:
    # bound by a relative name: a Unix socket's path is limited to 107 bytes
    here = os.getcwd()
    os.chdir(target.parent)
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(target.name)
        sock.close()  # the socket file stays
    finally:
        os.chdir(here)


@pytest.mark.parametrize(
    ("rel", "make"),
    [
        ("notes.md", _zero),
        ("group_vars/k8s_cluster/notes.md", _zero),
        ("group_vars/k8s_cluster/zero.yml", _zero),
        ("group_vars/k8s_cluster/pipe.yml", _fifo),
        ("pipe", _fifo),
        ("group_vars/k8s_cluster/sock.yml", _socket),
        ("sock", _socket),
    ],
    ids=lambda v: v if isinstance(v, str) else v.__name__.strip("_"),
)
def test_special_files_are_never_opened(tmp_path: Path, rel: str, make) -> None:
    inv = project(tmp_path, {K8S: FIXABLE + REPORT})
    make(inv / rel)
    lint = subprocess.run(
        [sys.executable, "-m", "node_timing", "lint", str(inv)],
        env=_env(tmp_path),
        capture_output=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limits,
    )
    proc = run_fix(inv, tmp_path)
    if lint.returncode == 5:  # the only inventory source is unreadable: lint says so too
        assert proc.returncode == 5 and "not a regular file" in proc.stderr, proc.stderr
        assert proc.stderr.count("\n") == 1
        return
    if b"not a regular file" in lint.stdout:
        # an inventory source at the top: lint's yaml-load error for it stays, the rest is fixed
        assert proc.returncode == 2 and "not a regular file" in proc.stdout, proc.stderr
    else:
        assert proc.returncode == 8, proc.stderr  # the rest is fixed
    assert (inv / K8S).read_text() == FIXED + REPORT
    assert {p.name for p in (inv / K8S).parent.iterdir()} <= {"k8s-cluster.yml", Path(rel).name}


def test_dev_null_is_no_inventory_as_for_lint(tmp_path: Path, capsys) -> None:
    assert main(["lint", "/dev/null"]) == 5
    assert main(["fix", "/dev/null"]) == 5
    assert main(["fix", "--check", "/dev/null"]) == 5
    assert "no inventory found" in capsys.readouterr().err


def test_nothing_is_left_in_tmpdir(tmp_path: Path) -> None:
    inv = project(tmp_path, {K8S: FIXABLE + REPORT})
    # a vault file used to be copied to $TMPDIR with the rest of the inventory
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "group_vars" / "all" / "vault.yml").write_text("$ANSIBLE_VAULT;1.1;AES256\n6162\n")
    assert run_fix(inv, tmp_path, "--check").returncode == 2  # run_fix: TMPDIR stays empty
    assert run_fix(inv, tmp_path).returncode == 8
    assert run_fix(inv, tmp_path, "--check").returncode == 0


def test_the_loader_reads_edits_and_new_files_from_the_overlay(tmp_path: Path) -> None:
    """fix lints its edits in memory: an edited file, a new file in an existing vars
    directory and one in a directory not yet created are all read, and nothing is written."""
    from node_timing.inventory import load_inventory

    inv = project(tmp_path, {K8S: "kube_version: v1.35.4\n"})
    before = tree(tmp_path)
    real = Path(os.path.realpath(inv))
    overlay = {
        str(real / K8S): b"kube_version: v1.34.0\n",
        str(real / "group_vars" / "k8s_cluster" / "node-timing.yml"): b"a: 1\n",
        str(real / "host_vars" / "node1" / "extra.yml"): b"b: 2\n",
        str(real / "host_vars" / "node1" / ".hidden.yml"): b"c: 3\n",  # not read by Ansible
    }
    loaded = load_inventory(inv, overlay=overlay)
    node1 = loaded.plain_host_vars("node1")
    assert (node1["kube_version"], node1["a"], node1["b"]) == ("v1.34.0", 1, 2)
    assert "c" not in node1
    assert "b" not in loaded.plain_host_vars("cp1")
    assert load_inventory(inv).plain_host_vars("node1")["kube_version"] == "v1.35.4"
    assert tree(tmp_path) == before


# ------------------------------------------------------------------------------------ metadata


def test_owner_mode_and_xattrs_are_kept(tmp_path: Path) -> None:
    inv = project(tmp_path, {K8S: FIXABLE + REPORT})
    target = inv / K8S
    set_user_xattr_or_skip(target)
    if os.geteuid() == 0:
        os.chown(target, 4321, 8765)  # root keeps any owner
    os.chmod(target, 0o640)
    before = os.stat(target)
    assert main(["fix", str(inv)]) == 8
    after = os.stat(target)
    assert target.read_text() == FIXED + REPORT
    assert after.st_ino != before.st_ino  # replaced, not rewritten in place
    assert (after.st_uid, after.st_gid, after.st_mode) == (
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )
    assert os.getxattr(target, "user.node_timing") == b"kept"


def test_a_read_only_file_is_replaced_and_stays_read_only(tmp_path: Path) -> None:
    inv = project(tmp_path, {K8S: FIXABLE + REPORT})
    os.chmod(inv / K8S, 0o444)
    assert main(["fix", str(inv)]) == 8
    assert (inv / K8S).read_text() == FIXED + REPORT
    assert stat.S_IMODE(os.stat(inv / K8S).st_mode) == 0o444


def test_a_hard_linked_file_is_refused(tmp_path: Path, capsys) -> None:
    inv = project(tmp_path, {K8S: FIXABLE + REPORT})
    os.link(inv / K8S, tmp_path / "proj" / "backup.yml")
    before = tree(tmp_path)
    assert main(["fix", str(inv)]) == 2
    assert tree(tmp_path) == before
    err = capsys.readouterr().err
    assert "has 2 hard links: replacing it would split it from the others: not edited" in err


# ------------------------------------------------------------------------- what lint reads


def test_ini_all_vars_are_fixed(tmp_path: Path) -> None:
    inv = project(tmp_path, {"group_vars/k8s_cluster/report.yml": REPORT})
    ini = inv / "inventory.ini"
    ini.write_text(
        HOSTS + "\n[all:vars]\nkubelet_status_update_frequency=10\n"
        "kube_apiserver_pod_eviction_unreachable_timeout_seconds=30s\n"
    )
    assert main(["fix", str(inv)]) == 8
    assert ini.read_text() == (
        HOSTS + "\n[all:vars]\nkubelet_status_update_frequency=10s\n"
        'kube_apiserver_pod_eviction_unreachable_timeout_seconds="30"\n'
    )


def test_tabs_between_tokens_are_fixed_around(tmp_path: Path) -> None:
    text = "kube_version: v1.35.4\t\nkubelet_status_update_frequency: 10\t# tab\nname: 'a\tb'\n"
    inv = project(tmp_path, {K8S: text + REPORT})
    assert main(["fix", str(inv)]) == 8
    assert (inv / K8S).read_text() == text.replace(": 10\t", ": 10s\t") + REPORT


def test_every_other_key_of_a_fixed_dict_is_kept(tmp_path: Path) -> None:
    """A kubespray inventory after deployment: the dicts fix edits carry unrelated keys."""
    kubelet = {
        "maxPods": 250,
        "nodeLeaseDurationSeconds": "40s",
        "systemReserved": {"cpu": "500m", "memory": "1Gi"},
        "evictionHard": {"memory.available": "100Mi"},
        "featureGates": {"GracefulNodeShutdown": True},
    }
    controller = {
        "node-monitor-grace-period": "20s",
        "profiling": "false",
        "bind-address": "0.0.0.0",
    }
    text = yaml.safe_dump(
        {
            "kube_version": "v1.35.4",
            "kube_controller_node_monitor_grace_period": "50s",
            "kubelet_config_extra_args": kubelet,
            "kube_kubeadm_controller_extra_args": controller,
        },
        sort_keys=False,
    )
    inv = project(tmp_path, {K8S: text})
    assert main(["fix", str(inv)]) == 8
    after = yaml.safe_load((inv / K8S).read_text())
    fixed_kubelet = after["kubelet_config_extra_args"]
    assert fixed_kubelet["nodeLeaseDurationSeconds"] == 40  # seconds-format
    assert fixed_kubelet["nodeStatusReportFrequency"] == "5m0s"  # report-frequency
    assert {
        k: v for k, v in fixed_kubelet.items() if k in kubelet and k != "nodeLeaseDurationSeconds"
    } == {k: v for k, v in kubelet.items() if k != "nodeLeaseDurationSeconds"}
    # duplicate-setting removes only the repeated flag
    assert after["kube_kubeadm_controller_extra_args"] == {
        "profiling": "false",
        "bind-address": "0.0.0.0",
    }


# -------------------------------------------------------------------------------- interruption


def many_files(tmp_path: Path, n: int) -> Path:
    """An inventory of ``n`` hosts, each with a host_vars file fix rewrites."""
    hosts = "[kube_control_plane]\ncp1\n[kube_node]\n" + "".join(f"node{i}\n" for i in range(n))
    files = {
        f"host_vars/node{i}.yml": f"# node {i}\nkubelet_status_update_frequency: {10 + i % 5}\n"
        for i in range(n)
    }
    inv = project(tmp_path, {K8S: "kube_version: v1.35.4\n" + REPORT, **files})
    (inv / "inventory.ini").write_text(
        hosts + "[k8s_cluster:children]\nkube_control_plane\nkube_node\n"
    )
    return inv


def expected_outcomes(
    tmp_path: Path, n: int
) -> tuple[dict[str, bytes | str], dict[str, bytes | str]]:
    """(inventory before, inventory after an uninterrupted fix) of ``many_files``."""
    inv = many_files(tmp_path / "reference", n)
    before = tree(inv)
    assert main(["fix", str(inv)]) == 8
    return before, tree(inv)


def assert_old_or_new(inv: Path, old: dict[str, bytes | str], new: dict[str, bytes | str]) -> int:
    """Every file is byte-equal to its old or its new content, none is added (no temporary
    file); returns how many are new."""
    now = tree(inv)
    assert set(now) == set(old)
    assert all(now[rel] in (old[rel], new[rel]) for rel in now), [
        rel for rel in now if now[rel] not in (old[rel], new[rel])
    ]
    return sum(1 for rel in now if now[rel] != old[rel])


KILL_AFTER = """
import os, sys
import node_timing.fix.writeback as fix
from node_timing.cli import main
from node_timing.rules.runner import lint_inventory

real, calls = fix.atomic_write, []

def counting(*args, **kwargs):
    written = real(*args, **kwargs)
    calls.append(written)
    if len(calls) == {after}:
        os.kill(os.getpid(), {signum})
    return written

fix.atomic_write = counting
sys.exit(main(["fix", {inv!r}]))
"""


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
@pytest.mark.parametrize("after", [1, 7])
def test_a_signal_between_two_files_stops_cleanly(
    tmp_path: Path, sig: signal.Signals, after: int
) -> None:
    n = 12
    old, new = expected_outcomes(tmp_path, n)
    inv = many_files(tmp_path / "run", n)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    code = KILL_AFTER.format(after=after, signum=int(sig), inv=str(inv))
    proc = start(["-c", code], tmp_path, tmpdir)
    _out, err = proc.communicate(timeout=TIME_LIMIT)
    written = assert_old_or_new(inv, old, new)
    assert os.listdir(tmpdir) == []
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        assert written == after
        return
    assert proc.returncode == 128 + sig, err
    assert written == after  # the file being written when the signal came is finished
    lines = [line for line in err.splitlines() if "interrupted" in line]
    assert (
        len(lines) == 1 and f"interrupted by {sig.name}: {after} of {n} files written" in lines[0]
    )
    assert "Traceback" not in err


def test_ctrl_c_while_a_class_is_created_is_an_interrupt_not_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the signal test below: SIGINT during a lazy import that creates a dataclass
    reached the user as "internal error: RuntimeError: Error calling __set_name__" (exit 1)."""
    from node_timing import cli

    class Interrupting:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    def run(_args: object) -> int:
        class Report:  # what a module being imported at that moment does
            written = Interrupting()

        return 0

    parser = cli.build_parser(None)
    args = parser.parse_args(["rules"])
    monkeypatch.setattr(args, "_run", run)
    monkeypatch.setattr(cli, "build_parser", lambda _name: _Fixed(args))
    assert cli.main(["rules"]) == 130
    assert "internal error" not in capsys.readouterr().err


class _Fixed:
    def __init__(self, args: object) -> None:
        self.args = args

    def parse_args(self, _argv: object) -> object:
        return self.args


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_a_signal_at_any_moment_leaves_every_file_old_or_new(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """Signals sent from outside after growing delays: before, during and after the write-back
    of 150 files (each fsynced), whichever moment they land on."""
    n = 150
    old, new = expected_outcomes(tmp_path, n)
    outcomes = set()
    for i, delay in enumerate((0.3, 1.0, 2.0, 3.5)):
        inv = many_files(tmp_path / f"run{i}", n)
        tmpdir = tmp_path / f"tmpdir{i}"
        tmpdir.mkdir()
        proc = start(["-m", "node_timing", "fix", str(inv)], tmp_path, tmpdir)
        time.sleep(delay)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=TIME_LIMIT)
        written = assert_old_or_new(inv, old, new)
        assert os.listdir(tmpdir) == []
        if written == 0 and err.rstrip().endswith("\nKeyboardInterrupt"):
            continue  # SIGINT while Python itself was still starting: its own traceback
        assert "Traceback" not in err
        assert proc.returncode in (8, 128 + sig, -sig), err
        if proc.returncode == 128 + sig and written:
            assert f"{written} of {n} files written" in err
        outcomes.add(written)
    assert outcomes  # what the delays hit differs with the machine's speed; none may corrupt
