"""Writing files safely, for ``render --out`` and ``fix``: inside a root, atomically, keeping metadata.

A reader (the kubelet, kubeadm, Ansible, an editor) sees the old file or the new one, never half
of one: the text goes to a temporary file in the target's own directory, is flushed to disk, then
renamed over the target. Where Linux offers ``O_TMPFILE`` the temporary file has no name until
the moment before the rename, so even SIGKILL leaves nothing behind except in the few
microseconds between ``linkat`` and ``rename`` (a new file is linked under its own name directly,
with no temporary name at all); elsewhere a named ``.NAME.*.tmp`` is removed on any exception.

Only regular files inside a root are written (``check_target``): a symlink is written through
when its target is inside the root (the real file is replaced, not the link), refused when it
leads outside or nowhere (a dangling link would create a file where it points). A replaced file
keeps its owner, group, mode and extended attributes; a file with several hard links is refused,
since the rename would split it from its other names.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path, PurePosixPath

from node_timing.inventory.root import private, within

# What one file may hold to be read for comparing or editing (the loader's own limit).


class UnsafePathError(ValueError):
    """A path that must not be written: outside the root, not a regular file, hard-linked, ..."""


def safe_target(out_dir: Path, relative: str) -> Path:
    """``out_dir / relative``, refusing anything that could resolve outside ``out_dir``.

    Refused: empty, absolute or drive paths, backslashes, NUL, ``.``/``..`` components, and any
    path ``check_target`` refuses (a symlink already on disk leading outside ``out_dir`` or
    nowhere, something other than a regular file, a hard-linked file).
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
    try:
        check_target(str(root), target)
    except UnsafePathError as exc:
        raise UnsafePathError(f"refusing output path {relative!r}: {exc}") from None
    return target


def check_target(root: str, path: str | os.PathLike[str], *, directory: bool = False) -> Path:
    """The real path to write for ``path``, or UnsafePathError saying in a few words why not.

    ``root`` must already be a real path. Refused: a path (or a directory on it) that resolves
    outside ``root``, a dangling symlink anywhere on it, an existing target that is not a
    regular file (with ``directory``: not a directory), or one with more than one hard link.
    """
    absolute = os.path.abspath(os.fspath(path))
    probe = absolute
    while True:  # a dangling link on the way would make mkdir/create land where it points
        if os.path.islink(probe) and not os.path.exists(probe):
            where = "" if probe == absolute else f" (its directory {probe})"
            raise UnsafePathError(f"is a dangling symlink{where}")
        if os.path.realpath(probe) == root:
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    real = os.path.realpath(absolute)
    if real == root or not within(root, real):
        raise UnsafePathError(f"it resolves outside {root}")
    if private(root, real):
        raise UnsafePathError(
            "it resolves into credentials/, artifacts/ or .git/, or a secret's file"
        )
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return Path(real)
    except OSError as exc:
        raise UnsafePathError(f"cannot stat: {exc.strerror or exc}") from None
    if directory:
        if not stat.S_ISDIR(st.st_mode):
            raise UnsafePathError("is not a directory")
    else:
        _check_regular(st)
    return Path(real)


def _check_regular(st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePathError(
            "is a directory" if stat.S_ISDIR(st.st_mode) else "is not a regular file"
        )
    if st.st_nlink > 1:
        raise UnsafePathError(
            f"has {st.st_nlink} hard links: replacing it would split it from the others"
        )


def read_regular(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of the regular file at ``path`` (symlinks followed), None when there is none;
    UnsafePathError saying why for anything else. The inventory loader's reader does the work:
    opened without blocking and checked on the open descriptor, so a FIFO, socket or device put
    there (even after a stat) is refused instead of hanging or reading forever."""
    from node_timing.inventory.model import LoadProblem
    from node_timing.inventory.read import read_bounded

    shown = os.fspath(path)
    real = os.path.realpath(shown)
    if not os.path.lexists(real):
        return None
    problems: list[LoadProblem] = []
    data = read_bounded(real, problems, shown=shown)
    if data is None:
        message = problems[0].message if problems else "cannot read"
        raise UnsafePathError(f"{shown}: {message.removeprefix('not checked: ')}")
    return data


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _open_unnamed(dir_fd: int) -> int | None:
    """An ``O_TMPFILE`` descriptor in the directory, or None where the system has none."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(".", flag | os.O_WRONLY | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    except OSError:  # the filesystem does not support it (EOPNOTSUPP, EISDIR, EINVAL)
        return None


def _temp_name(name: str) -> str:
    return f".{name}.{secrets.token_hex(4)}.tmp"


def _copy_metadata(fd: int, real: Path, st: os.stat_result | None) -> None:
    """Owner, group and extended attributes of the replaced file onto the new one, then its mode
    (last: a chown clears set-id bits). Refuses rather than silently dropping any of them."""
    if st is None:
        os.fchmod(fd, _default_mode())
        return
    own = os.fstat(fd)
    if (own.st_uid, own.st_gid) != (st.st_uid, st.st_gid):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            raise UnsafePathError(
                f"owned by {st.st_uid}:{st.st_gid}; a rewrite could not keep the owner"
            ) from None
    try:
        names = os.listxattr(real)
    except OSError:  # no extended attributes on this filesystem
        names = []
    for attr in names:
        value = os.getxattr(real, attr)
        try:
            os.setxattr(fd, attr, value)
        except OSError as exc:
            # a label the system gives every new file (security.selinux) may not be settable,
            # and need not be when the new file already carries the same value
            with contextlib.suppress(OSError):
                if os.getxattr(fd, attr) == value:
                    continue
            raise UnsafePathError(
                f"extended attribute {attr} could not be kept ({exc.strerror or exc})"
            ) from None
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def atomic_write(path: Path, data: bytes, root: str | None = None) -> Path:
    """Replace the file at ``path`` (the real file, when ``path`` is a symlink) with ``data``.

    With ``root``, ``check_target`` decides first whether it may be written. Returns the real
    path written. UnsafePathError says why a file was refused; OSError is a failed write, after
    which the target is unchanged and no temporary file is left.
    """
    real = check_target(root, path) if root is not None else Path(os.path.realpath(path))
    dir_fd = os.open(real.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if root is not None and not within(root, _fd_path(dir_fd, real.parent)):
            raise UnsafePathError(f"it resolves outside {root}")  # swapped since the check
        name = real.name
        try:
            st: os.stat_result | None = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None:
            if stat.S_ISLNK(st.st_mode):
                raise UnsafePathError("became a symlink meanwhile: not written")
            _check_regular(st)
        fd = _open_unnamed(dir_fd)
        temp: str | None = None
        if fd is None:
            temp = _temp_name(name)
            fd = os.open(
                temp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=dir_fd,
            )
        try:
            _write_all(fd, data)
            _copy_metadata(fd, real, st)
            if temp is None:
                source = f"/proc/self/fd/{fd}"
                if st is None:  # a new file: its own name is the first and only one
                    os.link(source, name, dst_dir_fd=dir_fd, follow_symlinks=True)
                else:
                    temp = _temp_name(name)
                    os.link(source, temp, dst_dir_fd=dir_fd, follow_symlinks=True)
            if temp is not None:
                os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                temp = None
        except BaseException:
            if temp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp, dir_fd=dir_fd)
            raise
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):  # directories without fsync (some network mounts)
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return real


def _fd_path(fd: int, fallback: Path) -> str:
    """Where an open directory really is (it may have been renamed or swapped meanwhile)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # pragma: no cover - no /proc
        return os.path.realpath(fallback)


def make_dirs(root: str, directory: Path) -> None:
    """Create ``directory`` and missing parents, each checked inside ``root`` first."""
    missing: list[Path] = []
    probe = directory
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for d in reversed(missing):
        if within(os.path.realpath(d), root):  # the root itself (a new --out) or above it
            os.makedirs(d, exist_ok=True)
            continue
        check_target(root, d, directory=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(d)
        # a symlink planted meanwhile is caught before anything is written through it
        check_target(root, d, directory=True)


def write_tree(out_dir: Path, files: dict[str, str]) -> list[tuple[str, bool]]:
    """Write ``{relative path: text}`` under ``out_dir``; return ``(path, changed)`` per file.

    Every path is checked before anything is written; unchanged files are not rewritten.
    """
    targets = {rel: safe_target(out_dir, rel) for rel in files}
    root = str(out_dir.resolve())
    result: list[tuple[str, bool]] = []
    for rel, text in files.items():
        target = targets[rel]
        data = text.encode("utf-8")
        make_dirs(root, target.parent)
        try:
            same = read_regular(check_target(root, target)) == data
        except (IsADirectoryError, NotADirectoryError):
            same = False
        if not same:
            try:
                atomic_write(target, data, root)
            except UnsafePathError as exc:
                raise UnsafePathError(f"refusing output path {rel!r}: {exc}") from None
        result.append((rel, not same))
    return result
