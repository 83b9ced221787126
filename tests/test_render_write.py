"""The writer: output never leaves --out, writes are atomic and keep the file mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

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
