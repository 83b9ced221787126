"""Writing rendered files: every path stays inside the output directory, every write is atomic.

A reader (the kubelet, kubeadm, an editor) sees the old file or the new one, never half of one:
the text goes to a temporary file in the same directory, is flushed to disk, then renamed over
the target, keeping the target's permission bits.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path, PurePosixPath


class UnsafePathError(ValueError):
    """An output path that would land outside the output directory."""


def safe_target(out_dir: Path, relative: str) -> Path:
    """``out_dir / relative``, refusing anything that could resolve outside ``out_dir``.

    Refused: empty, absolute or drive paths, backslashes, NUL, ``.``/``..`` components, and any
    path that resolves (following symlinks already on disk) outside ``out_dir``.
    """
    if not isinstance(relative, str) or not relative or "\0" in relative or "\\" in relative:
        raise UnsafePathError(f"refusing output path {relative!r}")
    if relative.startswith("/") or ":" in relative.split("/", 1)[0]:
        raise UnsafePathError(f"refusing absolute output path {relative!r}")
    if any(part in ("", ".", "..") for part in relative.split("/")):
        raise UnsafePathError(f"refusing output path {relative!r}: empty, '.' or '..' component")
    pure = PurePosixPath(relative)
    root = out_dir.resolve()
    target = root.joinpath(*pure.parts)
    resolved = target.resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise UnsafePathError(f"refusing output path {relative!r}: it resolves outside {out_dir}")
    return target


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically; an existing file keeps its mode."""
    directory = path.parent
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def write_tree(out_dir: Path, files: dict[str, str]) -> list[tuple[str, bool]]:
    """Write ``{relative path: text}`` under ``out_dir``; return ``(path, changed)`` per file.

    Every path is checked before anything is written; unchanged files are not rewritten.
    """
    targets = {rel: safe_target(out_dir, rel) for rel in files}
    result: list[tuple[str, bool]] = []
    for rel, text in files.items():
        target = targets[rel]
        data = text.encode("utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        # a directory created just now may be a symlink planted meanwhile: check again
        safe_target(out_dir, rel)
        try:
            same = target.read_bytes() == data
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            same = False
        if not same:
            atomic_write(target, data)
        result.append((rel, not same))
    return result
