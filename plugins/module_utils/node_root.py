"""Reading and writing a node's files under a node root without leaving it.

A node root is a directory standing for a node's ``/`` (``/`` itself, a mounted image, a chroot).
Every path is walked one component at a time from a descriptor of the root: each directory is
opened with ``O_NOFOLLOW`` relative to its parent's descriptor, a symlink met on the way is read
and followed only while it stays inside the root (an absolute target must lie under the root's
real path; ``..`` never climbs above it), and a file is opened with ``O_NOFOLLOW`` and checked on
its descriptor. A link swapped in between two steps fails the open instead of being followed.
Whatever leaves the root raises :class:`Refused` with a sentence that says so.

Runs on the node, whose Python may be 3.6 (EL 8's platform Python): no newer syntax here.
"""

import errno
import os
import stat
import time

MAX_LINKS = 40  # the kernel's own bound on symlinks followed in one lookup (path_resolution(7))
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


class Refused(Exception):
    """A path that would leave the node root, or is not what it must be; the message says why."""


def node_parts(path, strict=False):
    """The components of the node path ``path`` (``/etc/kubernetes`` → ``[etc, kubernetes]``).

    ``strict``: a ``..`` component or an empty path is refused (a name a user gave, such as an
    output directory); otherwise ``..`` stays for the walk, which refuses it above the root.
    """
    text = str(path)
    if "\0" in text:
        raise Refused(f"{text!r}: a path may not hold a NUL character")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if strict and (not parts or ".." in parts):
        raise Refused(
            f"{text!r} is not a path under the node root: give an absolute node path without '..' "
            "components (for example /etc/systemd/system/kubelet.service.d)"
        )
    return parts


class NodeRoot:
    """The directory ``root`` standing for a node's ``/``."""

    def __init__(self, root):
        self.root = str(root)
        self.real = os.path.realpath(self.root)
        self.fd = os.open(self.real, _DIR_FLAGS)

    def close(self):
        os.close(self.fd)

    def shown(self, parts):
        return "/" + "/".join(parts)

    def _walk(self, path, follow_last=True, create=False, dir_mode=0o755):
        """``(parent descriptor, name, node path)`` of ``path``'s last component, every directory
        before it opened without following a link out of the root. The caller closes the
        descriptor. ``create``: missing directories on the way are made (``dir_mode``)."""
        todo = node_parts(path)
        stack = [os.dup(self.fd)]
        names = []
        links = 0
        try:
            while todo:
                name = todo.pop(0)
                if name == "..":
                    if len(stack) == 1:
                        raise Refused(
                            f"{self.shown([*names, name, *todo])}: a symlink or '..' climbs above the node root {self.root}"
                        )
                    os.close(stack.pop())
                    names.pop()
                    continue
                last = not todo
                try:
                    info = os.stat(name, dir_fd=stack[-1], follow_symlinks=False)
                except OSError as exc:
                    if exc.errno != errno.ENOENT:
                        raise
                    if last:
                        break
                    if not create:
                        raise
                    os.mkdir(name, dir_mode, dir_fd=stack[-1])
                    info = os.stat(name, dir_fd=stack[-1], follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode) and (follow_last or not last):
                    links += 1
                    if links > MAX_LINKS:
                        raise Refused(
                            f"{self.shown(names)}: more than {MAX_LINKS} symlinks on the way"
                        )
                    target = os.readlink(name, dir_fd=stack[-1])
                    if target.startswith("/"):
                        inside = self._inside(target)
                        if inside is None:
                            raise Refused(
                                f"{self.shown([*names, name])} is a symlink to {target}, outside the node root {self.root}: not followed"
                            )
                        for fd in stack[1:]:
                            os.close(fd)
                        del stack[1:]
                        names = []
                        todo = inside + todo
                    else:
                        todo = node_parts(target) + todo
                    continue
                if last:
                    break
                try:
                    fd = os.open(name, _DIR_FLAGS, dir_fd=stack[-1])
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        raise Refused(
                            f"{self.shown([*names, name])} changed into a symlink while it was read"
                        ) from None
                    raise
                stack.append(fd)
                names.append(name)
            else:
                name = ""  # the root itself
        except BaseException:
            for fd in stack:
                os.close(fd)
            raise
        for fd in stack[:-1]:
            os.close(fd)
        return stack[-1], name, self.shown(names + ([name] if name else []))

    def _inside(self, target):
        """The components of an absolute link target below the root's real path, else None."""
        target = os.path.normpath(target)
        if self.real == "/":
            return node_parts(target)
        if target == self.real:
            return []
        if target.startswith(self.real + "/"):
            return node_parts(target[len(self.real) :])
        return None

    def read(self, path, max_bytes):
        """``(node path, bytes)`` of the regular file ``path``; None when it does not exist.
        Raises :class:`Refused` (a link out of the root, not a regular file, too large)."""
        try:
            parent, name, shown = self._walk(path)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise
        try:
            if not name:
                raise Refused(f"{shown}: not a regular file")
            try:
                fd = os.open(name, _FILE_FLAGS, dir_fd=parent)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    return None
                if exc.errno == errno.ELOOP:
                    raise Refused(f"{shown} changed into a symlink while it was read") from None
                raise
        finally:
            os.close(parent)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Refused(f"{shown}: not a regular file")
            data = os.read(fd, max_bytes + 1) if info.st_size <= max_bytes else b""
            if info.st_size > max_bytes or len(data) > max_bytes:
                raise Refused(f"{shown}: larger than {_size(max_bytes)}")
            return shown, data
        finally:
            os.close(fd)

    def listdir(self, path):
        """Sorted names in the directory ``path``; None when it does not exist."""
        try:
            parent, name, _shown = self._walk(path)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=parent) if name else os.dup(parent)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise
        finally:
            os.close(parent)
        try:
            return sorted(os.listdir(fd))
        finally:
            os.close(fd)

    def write(self, path, data, mode=0o644, backup=False, backup_dir=None, check=False):
        """Replace the file ``path`` with ``data`` atomically (a new file of ``mode`` when absent),
        keeping an existing file's mode and owner. ``backup``: the old bytes are kept first,
        beside the file (``NAME.PID.DATE~``) or, given ``backup_dir`` (a node path), there
        (``NAME.DATE``). Returns ``{changed, path, before, backup}``; ``check`` writes nothing."""
        node_parts(path, strict=True)
        if backup_dir is not None:
            node_parts(backup_dir, strict=True)
        try:
            parent, name, shown = self._walk(path, create=not check)
        except OSError as exc:
            if check and exc.errno == errno.ENOENT:  # the directories would be made
                return {"changed": True, "path": self.shown(node_parts(path)), "before": None}
            raise
        try:
            before, info = self._current(parent, name, shown)
            result = {"changed": before != data, "path": shown, "before": before}
            if before == data or check:
                return result
            if backup and before is not None:
                result["backup"] = self._backup(parent, name, shown, before, info, backup_dir)
            self._replace(parent, name, data, info, mode)
            return result
        finally:
            os.close(parent)

    def _current(self, parent, name, shown):
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=parent)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None, None
            if exc.errno == errno.ELOOP:
                raise Refused(f"{shown} changed into a symlink while it was written") from None
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Refused(f"{shown}: not a regular file, not replaced")
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks), info
        finally:
            os.close(fd)

    def _backup(self, parent, name, shown, data, info, backup_dir):
        stamp = time.strftime("%Y-%m-%d@%H:%M:%S")
        if backup_dir is None:
            target = f"{name}.{os.getpid()}.{stamp}~"
            _create(parent, target, data, info, 0o600)
            return shown + target[len(name) :]
        where, dir_name, dir_shown = self._walk(
            backup_dir + "/x", follow_last=False, create=True, dir_mode=0o700
        )
        try:
            target = "{}.{}".format(name, stamp.replace("-", "").replace("@", "T").replace(":", ""))
            _create(where, target, data, info, 0o600)
            return dir_shown[: -len(dir_name)] + target
        finally:
            os.close(where)

    def _replace(self, parent, name, data, info, mode):
        tmp = f".{name}.node-timing.{os.getpid()}.tmp"
        _create(parent, tmp, data, info, mode)
        try:
            os.rename(tmp, name, src_dir_fd=parent, dst_dir_fd=parent)
        except BaseException:
            os.unlink(tmp, dir_fd=parent)
            raise


def _size(count):
    return f"{count >> 20} MiB" if count % (1 << 20) == 0 else f"{count} bytes"


def _create(parent, name, data, info, mode):
    """A new file ``name`` in the directory ``parent`` holding ``data``, with ``info``'s mode and
    owner (a stat of the file it replaces or backs up) or ``mode``; synced before it returns."""
    fd = os.open(
        name,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
        0o600,
        dir_fd=parent,
    )
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if info is not None:
            try:
                os.fchown(fd, info.st_uid, info.st_gid)
            except OSError as exc:  # not the owner's to give away: keep ours
                if exc.errno != errno.EPERM:
                    raise
        os.fchmod(fd, stat.S_IMODE(info.st_mode) if info is not None else mode)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(name, dir_fd=parent)
        raise
    os.close(fd)
