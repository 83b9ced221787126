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
    return parent if parent != start else start


def within(root: str, path: str | os.PathLike[str]) -> bool:
    """True when ``path``, every symlink on it resolved, is ``root`` or below it."""
    real = os.path.realpath(os.fspath(path))
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


__all__ = ["inventory_dir", "project_root", "within"]
