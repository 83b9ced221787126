"""The inventories under a directory, for ``node-timing lint`` with no argument (the pre-commit
hook): found as ansible-lint finds its files, by walking the directory rather than asking git.

kubespray's ``.gitignore`` ignores ``inventory/*`` but ``inventory/sample``, so a checkout's own
inventory is usually untracked: a list from git would miss exactly the inventory to check. A
directory holding ``group_vars/`` or ``host_vars/`` is a candidate; whether it is an inventory (it
has hosts) is for the loader to say, as the ansible-lint rule leaves a ``group_vars/`` beside a
playbook alone. Hidden directories (``.git``, virtual environments), kubespray's ``credentials/``
and ``artifacts/`` and symlinked directories are not entered; the walk stops at the limits of an
inventory directory's walk.
"""

from __future__ import annotations

import os

from node_timing.inventory.read import MAX_WALK_DEPTH, MAX_WALK_ENTRIES
from node_timing.inventory.root import PRIVATE_DIRS

VARS_DIRS = ("group_vars", "host_vars")
NOT_ENTERED = frozenset((*PRIVATE_DIRS, "__pycache__", "node_modules"))


def candidates(top: str = ".") -> list[str]:
    """Directories under ``top`` (``top`` included) that hold ``group_vars/`` or ``host_vars/``,
    sorted, as paths starting with ``top``."""
    found: list[str] = []
    seen = 0
    for directory, dirs, files in os.walk(top, followlinks=False):
        seen += len(dirs) + len(files)
        depth = 0 if directory == top else os.path.relpath(directory, top).count(os.sep) + 1
        if any(d in VARS_DIRS for d in dirs):
            found.append(directory)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in NOT_ENTERED
            and d not in VARS_DIRS
            and not os.path.islink(os.path.join(directory, d))
        )
        if depth >= MAX_WALK_DEPTH or seen > MAX_WALK_ENTRIES:
            dirs[:] = []
    return sorted(found)
