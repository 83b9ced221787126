"""The writer: output never leaves --out, only regular files are written, writes are atomic and
keep the file's owner, group, mode and extended attributes."""

from __future__ import annotations

import errno
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fsutil import set_user_xattr_or_skip

import node_timing
from node_timing.render.write import UnsafePathError, atomic_write, safe_target, write_tree


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/etc/passwd",
        "../escape.yaml",
        "kubelet/../../escape.yaml",
        "kubelet/./x.yaml",
        "kubelet//x.yaml",
        "kubelet/",
        ".",
        "..",
        "a\\..\\..\\b",
        "C:/windows/x",
        "nul\0byte",
    ],
)
def test_hostile_names_are_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UnsafePathError):
        write_tree(out, {name: "x"})
    assert list(tmp_path.rglob("*")) == [out]


def test_symlinked_directory_escaping_out_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "kubelet").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError):
        write_tree(out, {"kubelet/kubelet-config.yaml": "x"})
    assert list(outside.iterdir()) == []


def test_symlinked_file_escaping_out_is_refused(tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim"
    out.mkdir()
    victim.write_text("keep")
    (out / "file.yaml").symlink_to(victim)
    with pytest.raises(UnsafePathError):
        write_tree(out, {"file.yaml": "x"})
    assert victim.read_text() == "keep"


def test_nothing_is_written_when_one_path_is_bad(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError):
        write_tree(tmp_path, {"good.yaml": "x", "../bad.yaml": "y"})
    assert not (tmp_path / "good.yaml").exists()


def test_writes_and_reports_unchanged_files(tmp_path: Path) -> None:
    files = {"kubelet/kubelet-config.yaml": "a: 1\n", "kubeadm/kubeadm-config.yaml": "b: 2\n"}
    assert write_tree(tmp_path, files) == [(rel, True) for rel in files]
    assert (tmp_path / "kubelet" / "kubelet-config.yaml").read_text() == "a: 1\n"
    assert write_tree(tmp_path, files) == [(rel, False) for rel in files]
    assert safe_target(tmp_path, "kubelet/x.conf") == tmp_path.resolve() / "kubelet" / "x.conf"


def test_atomic_write_keeps_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "kube-apiserver.yaml"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["kube-apiserver.yaml"]


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_no_file_is_created_through_a_dangling_symlink(tmp_path: Path, where: str) -> None:
    out = tmp_path / "out"
    (out / "kubelet").mkdir(parents=True)
    missing = out / "missing.yaml" if where == "inside" else tmp_path / "elsewhere" / "x.yaml"
    (out / "kubelet" / "kubelet-config.yaml").symlink_to(missing)
    with pytest.raises(UnsafePathError, match="dangling symlink"):
        write_tree(out, {"kubelet/kubelet-config.yaml": "x"})
    assert not missing.exists() and not (tmp_path / "elsewhere").exists()


def test_a_symlink_inside_out_is_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "shared").mkdir(parents=True)
    (out / "shared" / "real.yaml").write_text("old\n")
    (out / "kubelet").mkdir()
    (out / "kubelet" / "kubelet-config.yaml").symlink_to("../shared/real.yaml")
    assert write_tree(out, {"kubelet/kubelet-config.yaml": "new\n"}) == [
        ("kubelet/kubelet-config.yaml", True)
    ]
    assert (out / "kubelet" / "kubelet-config.yaml").is_symlink()
    assert (out / "shared" / "real.yaml").read_text() == "new\n"


def test_a_hard_linked_output_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("old\n")
    os.link(out / "a.yaml", tmp_path / "other-name")
    with pytest.raises(UnsafePathError, match="2 hard links"):
        write_tree(out, {"a.yaml": "new\n"})
    assert (tmp_path / "other-name").read_text() == "old\n"


def test_owner_group_mode_and_xattrs_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "kube-controller-manager.yaml"
    target.write_text("old\n")
    set_user_xattr_or_skip(target)
    if os.geteuid() == 0:
        os.chown(target, 4321, 8765)
    os.chmod(target, 0o604)
    before = target.stat()
    atomic_write(target, b"new\n")
    after = target.stat()
    assert target.read_bytes() == b"new\n" and after.st_ino != before.st_ino
    assert (after.st_uid, after.st_gid, after.st_mode) == (
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )
    assert os.getxattr(target, "user.node_timing") == b"kept"


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE", "named-temp"])
def test_a_failed_write_leaves_the_target_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unnamed: bool
) -> None:
    from node_timing.render import write

    if not unnamed:
        monkeypatch.setattr(write, "_open_unnamed", lambda _dir_fd: None)
    target = tmp_path / "a.yaml"
    target.write_text("old\n")

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, b"new\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]
    assert target.read_text() == "old\n"
    monkeypatch.undo()
    if not unnamed:
        monkeypatch.setattr(write, "_open_unnamed", lambda _dir_fd: None)
    atomic_write(tmp_path / "new.yaml", b"created\n")  # a new file, either way
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "new.yaml"]


def _render(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(node_timing.__file__).parent.parent), env.get("PYTHONPATH", "")]
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "node_timing",
            "render",
            "--profile",
            "fast",
            "--nodes",
            "10",
            *args,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)),
    )


def test_render_out_must_name_a_directory(tmp_path: Path) -> None:
    proc = _render("--out", "", cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr == "node-timing: error: --out must name a directory, got an empty string\n"
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_a_fifo_at_an_output_path(tmp_path: Path) -> None:
    (tmp_path / "out" / "kubelet").mkdir(parents=True)
    os.mkfifo(tmp_path / "out" / "kubelet" / "kubelet-config.yaml")
    for check in ((), ("--check",)):
        proc = _render("--out", "out", *check, cwd=tmp_path)  # would block forever if opened
        assert proc.returncode == 3, proc.stderr
        assert proc.stderr.count("\n") == 1 and "not a regular file" in proc.stderr
