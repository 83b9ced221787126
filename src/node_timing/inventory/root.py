"""The project root: how far reading and writing may reach from an inventory.

Linting a pull request reads a directory nobody audited. A symlink in it may point anywhere
(``hosts -> /proc/self/environ``, ``group_vars -> /etc``), so every read and every write is
confined to the project that holds the inventory: the repository around it (the nearest
directory upward holding ``.git``), or without one the directory above the inventory directory.
Symlinks that resolve inside the root are followed as Ansible follows them (group_vars shared
between inventories by a symlink is a common layout); one that resolves outside is not.
"""

from __future__ import annotations

import os


def inventory_dir(path: str | os.PathLike[str]) -> str:
    """The inventory directory of ``path``: itself, or the directory holding the file."""
    p = os.path.abspath(os.fspath(path))
    return p if os.path.isdir(p) else os.path.dirname(p)


def project_root(path: str | os.PathLike[str]) -> str:
    """The real path of the directory every read and write for ``path`` must stay inside."""
    start = os.path.realpath(inventory_dir(path))
    directory = start
    while True:
        if os.path.lexists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    parent = os.path.dirname(start)
    # An inventory directly under / (a container's mounted /inventory) would make the whole file
    # system the project: the inventory directory itself is the root then.
    return parent if parent != os.sep else start


# Inside the project but never read: kubespray's secrets and generated files, and git's own
# directory (its config and hooks are no inventory). A symlink with a harmless name resolving
# into one of them is refused like one leaving the project.
PRIVATE_DIRS = ("credentials", "artifacts", ".git")
PRIVATE_EXTENSIONS = (".creds", ".gpg")


def private(root: str, real: str) -> bool:
    """True when ``real`` (a resolved path inside ``root``) lies in a private directory of the
    project or has a secret's extension."""
    rel = os.path.relpath(real, root)
    parts = [] if rel == os.curdir else rel.split(os.sep)
    return any(p in PRIVATE_DIRS for p in parts) or real.endswith(PRIVATE_EXTENSIONS)


def within(root: str, path: str | os.PathLike[str]) -> bool:
    """True when ``path``, every symlink on it resolved, is ``root`` or below it."""
    real = os.path.realpath(os.fspath(path))
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


__all__ = ["inventory_dir", "private", "project_root", "within"]
