"""The one way an inventory load reads a file: confined, bounded, recorded.

Every read of a load goes through a :class:`Reader`: inside the project root (``root.py``),
never a FIFO, device or socket, never more than MAX_FILE_SIZE bytes, directories walked no deeper
or wider than the limits below. What is not read becomes a LoadProblem, never an exception.
``read_bounded`` is the same bounded read of one path, for the files other commands are pointed
at (render's manifests, the files fix and render write over, the lint config).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from node_timing.inventory.model import LoadProblem
from node_timing.inventory.root import private, within

# Larger files are skipped with a yaml-load finding (docs/limits.md, "Limits and bad input"): kubespray's own group_vars
# are a few KiB, and PyYAML needs about 20 times a file's size in memory to compose it.
MAX_FILE_SIZE = 16 * 1024 * 1024
# A directory inventory is walked as ansible-core walks it, but never without end: a tree this deep
# or this large is no inventory (ansible-core has no limit and dies of RecursionError).
MAX_WALK_DEPTH = 32
MAX_WALK_ENTRIES = 10_000
# Pseudo-filesystems: their "regular files" are the process environment, kernel state, devices.
_PSEUDO = ("/proc", "/sys", "/dev")


@dataclass
class Reader:
    """Everything one load reads goes through here: confined to ``root``, bounded, recorded.

    ``files`` lists what was read (for fix and for the output); ``problems`` what was not.
    """

    root: str
    problems: list[LoadProblem]
    allow_exec: bool = False
    # real path -> bytes read in its place, new files included: fix lints its edits in memory
    overlay: Mapping[str, bytes] | None = None
    files: list[str] = field(default_factory=list)
    skipped_exec: list[str] = field(default_factory=list)

    def confined(self, path: str, kind: str = "inventory") -> str | None:
        """The real path of ``path`` when it stays inside the root, else None and a problem.

        The target of a symlink that leaves the root is never shown: it may itself be a secret
        (``/proc/self/environ``, a path naming a customer).
        """
        real = os.path.realpath(path)
        inside = within(self.root, real) and not any(
            real == p or real.startswith(p + os.sep) for p in _PSEUDO
        )
        if inside and private(self.root, real):
            self.problems.append(
                LoadProblem(
                    path,
                    0,
                    0,
                    "not read: a link into kubespray's credentials/ or artifacts/, a .creds or "
                    ".gpg file, or .git/ (secrets and generated files, never inventory)",
                    kind="outside-root",
                    severity="warning",
                )
            )
            return None
        if inside:
            return real
        self.problems.append(
            LoadProblem(
                path,
                0,
                0,
                "not read: a symlink to a path outside the project "
                f"({display_root(self.root)}); node-timing reads nothing outside it",
                kind="outside-root",
                severity="warning",
            )
        )
        return None

    def read(self, path: str) -> bytes | None:
        """The bytes of a regular file of at most MAX_FILE_SIZE inside the root (or the edit
        ``fix`` holds for it), else a problem and None."""
        real = self.confined(path)
        if real is None:
            return None
        held = self.overlay.get(real) if self.overlay else None
        if held is not None:
            self.files.append(path)
            return held
        data = read_bounded(real, self.problems, shown=path)
        if data is not None:
            self.files.append(path)
        return data

    def listdir(self, path: str, seen: frozenset[str], kind: str) -> list[str] | None:
        """Sorted names in directory ``path`` (inside the root, not seen on this branch), or None
        with a problem."""
        real = self.confined(path, kind)
        if real is None:
            return None
        if real in seen:
            self.problems.append(
                LoadProblem(path, 0, 0, "symlink loop: directory skipped", kind=kind)
            )
            return None
        if len(seen) >= MAX_WALK_DEPTH:
            self.problems.append(
                LoadProblem(
                    path,
                    0,
                    0,
                    f"not read: directories nested deeper than {MAX_WALK_DEPTH} levels",
                    kind=kind,
                )
            )
            return None
        try:
            return sorted(os.listdir(real))
        except OSError as exc:
            self.problems.append(LoadProblem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
            return None


def read_bounded(
    path: str, problems: list[LoadProblem], *, shown: str | None = None
) -> bytes | None:
    """The bytes of the regular file ``path`` of at most MAX_FILE_SIZE, else a problem (naming
    ``shown``, default ``path``) and None.

    The file's type is checked on ``stat`` before it is opened, then opened without following a
    last symlink and without blocking and checked again on the open descriptor: a FIFO swapped in
    after the check cannot hang the read, /dev/zero is never opened.
    """
    where = path if shown is None else shown
    try:
        # the type first, on stat: a device, FIFO or socket is never opened (opening a device
        # can act, a FIFO can block); the descriptor is checked again below for a swap
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            what = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            problems.append(LoadProblem(where, 0, 0, f"cannot read: {what}"))
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        problems.append(LoadProblem(where, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            problems.append(LoadProblem(where, 0, 0, f"cannot read: {what}"))
            return None
        if st.st_size > MAX_FILE_SIZE:
            problems.append(LoadProblem(where, 0, 0, _too_large(st.st_size)))
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_SIZE:
            chunk = os.read(fd, MAX_FILE_SIZE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        problems.append(LoadProblem(where, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_SIZE:  # grew since stat
        problems.append(LoadProblem(where, 0, 0, _too_large(len(data))))
        return None
    return data


def display_root(root: str) -> str:
    """The root as a user wants to read it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(root)
    except (ValueError, OSError):  # another drive; a working directory that was deleted
        return root
    return root if rel.startswith("..") else rel


def _too_large(size: int) -> str:
    return f"not checked: file larger than {MAX_FILE_SIZE // (1024 * 1024)} MiB ({size:,} bytes)"


def decode_text(path: str, data: bytes, problems: list[LoadProblem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(LoadProblem(path, line, col, "file is not valid UTF-8"))
        return None


def walk(
    top: str, reader: Reader, kind: str, skip: Callable[[str], bool]
) -> Iterator[tuple[str, str, bool]]:
    """``(path, name, is_dir)`` below ``top`` in ansible-core's order (sorted, depth first),
    without recursion: a directory 1,500 levels deep must not reach Python's recursion limit.

    Directories are entered only inside the root and up to MAX_WALK_DEPTH levels; at most
    MAX_WALK_ENTRIES entries are listed in all.
    """
    names = reader.listdir(top, frozenset(), kind)
    if names is None:
        return
    stack: list[tuple[str, Iterator[str], frozenset[str]]] = [
        (top, iter(names), frozenset({os.path.realpath(top)}))
    ]
    listed = 0
    while stack:
        directory, it, seen = stack[-1]
        name = next(it, None)
        if name is None:
            stack.pop()
            continue
        if skip(name):
            continue
        listed += 1
        if listed > MAX_WALK_ENTRIES:
            reader.problems.append(
                LoadProblem(
                    top,
                    0,
                    0,
                    f"not read past {MAX_WALK_ENTRIES:,} entries: no inventory is this large",
                    kind=kind,
                )
            )
            return
        full = os.path.join(directory, name)
        is_dir = os.path.isdir(full)
        yield full, name, is_dir
        if is_dir:
            sub = reader.listdir(full, seen, kind)
            if sub is not None:
                stack.append((full, iter(sub), seen | {os.path.realpath(full)}))


__all__ = [
    "MAX_FILE_SIZE",
    "MAX_WALK_DEPTH",
    "MAX_WALK_ENTRIES",
    "Reader",
    "decode_text",
    "display_root",
    "read_bounded",
    "walk",
]
